#include "lib/signal/signaller.h"

#include <sys/resource.h>

#include <algorithm>

#include <unordered_map>
#include <unordered_set>

#include "lib/io/capabilities.h"
#include "lib/signal/defer_interrupts.h"
#include "lib/parse/keyed_file.h"
#include "lib/io/exit_cursor.h"
#include "lib/freezer/job_hold.h"
#include "lib/signal/pinned_task.h"
#include "lib/io/task_info.h"

namespace cgjob {
namespace {

// v1 SIGKILL of a frozen job: how long the killed get to exit after the thaw
// before their cgroups are frozen again.
constexpr auto k_exit_grace = std::chrono::seconds(5);

// How long the signalling may take when the caller set no deadline.
constexpr auto k_signal_bound = std::chrono::seconds(10);

// How many more times to wait for FROZEN and re-read the processes when the
// first wait did not see the job FROZEN (see signal_job).
constexpr int k_settle_rounds = 3;

// How long, at most, to watch the processes that blocked the signal after
// the thaw (see signal_blockers_children).
constexpr auto k_blocker_watch = std::chrono::seconds(2);

// Keep pidfds for waiting only while well below the fd limit.
std::size_t pidfd_budget() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) < 0 || lim.rlim_cur == RLIM_INFINITY) return 1 << 20;
  return lim.rlim_cur > 256 ? lim.rlim_cur - 256 : 0;
}

// One write that signals the whole subtree in the kernel, forks included:
// `file` with `value`. Returns how many processes it reached (as counted
// just before, with CountFirst::yes; else 0), with `done` false where the
// kernel lacks the file or refuses it (EOPNOTSUPP in threaded cgroups): the
// caller falls back to freezing.
Result<std::size_t> try_subtree_write(const Cgroup& job, bool present, std::string_view file,
                                      std::string_view value, CountFirst count_first, bool& done) {
  done = false;
  if (!present) return std::size_t{0};
  std::size_t count = 0;
  if (count_first == CountFirst::yes) {
    auto subtree = open_subtree(job);
    if (!subtree) return subtree.error();
    auto pids = subtree_procs(*subtree);
    if (!pids) return pids.error();
    count = pids->size();
  }
  auto written = job.write(file, value);
  if (written) {
    done = true;
    return count;
  }
  // EINVAL: a signal this kernel's cgroup.signal does not take.
  int e = written.error().errnum;
  if (e == EOPNOTSUPP || e == ENOENT || e == EINVAL) return std::size_t{0};
  return written.error();
}

// Why: cgroup.kill (6.1 and 6.18 alike) leaves a process alive whose
// thread-group leader has exited (pthread_exit in main): its other threads
// run on and the job stays populated. cgroup.procs lists such a process by
// its leader, a zombie (Z) while the threads live; a SIGKILL through its
// pidfd, as kill(2) sends it, ends them all. Read right after the write:
// the processes the write did kill are not zombies yet, and a second
// SIGKILL to a dying process changes nothing. Best effort: the kill is
// sent, and a wait for the job to empty still sees what is left.
void kill_exited_leaders(const Cgroup& job) {
  SysIo& io = job.io();
  auto subtree = open_subtree(job);
  if (!subtree) return;
  auto pids = subtree_procs(*subtree);
  if (!pids) return;
  for (pid_t pid : *pids) {
    auto info = read_task_stat(io, pid);
    if (!info || info->state != 'Z') continue;
    auto task = PinnedTask::pin(io, pid);  // a zombie's PID is not reused until reaped
    if (task) (void)task->signal(SIGKILL);
  }
}

// No pidfd kept: an index into SignalReport::pidfds that names none.
constexpr std::size_t k_no_pidfd = static_cast<std::size_t>(-1);

// Whether the process of `pidfd` has exited (a pidfd polls readable then).
bool has_exited(SysIo& io, int pidfd) {
  pollfd p{pidfd, POLLIN, 0};
  auto n = io.poll(std::span<pollfd>(&p, 1), Clock::duration::zero());
  return n && p.revents != 0;
}

// The processes signalled so far, by identity, not by bare PID: a PID and
// the pidfd of the process it named where one was kept, else that process's
// start time (/proc/PID/stat). A PID listed again that names another process
// now (the old one exited and its PID was reused by a new member of the job)
// gets the signal too. A PID is recorded when first listed, by the PID
// alone, so that one that cannot be pinned or signalled is not tried again
// and again; its identity is added once it is signalled.
class SignalledSet {
 public:
  /// Whether `pid` names a process not listed before (then it is recorded).
  bool first_time(SysIo& io, pid_t pid, const std::vector<UniqueFd>& pidfds) {
    auto [it, inserted] = m_signalled.try_emplace(pid, Identity{k_no_pidfd, 0});
    if (inserted) return true;
    if (same_process(io, pid, it->second, pidfds)) return false;
    it->second = Identity{k_no_pidfd, 0};
    return true;
  }
  /// The process `pid` names was signalled; pidfds[index] is its pidfd.
  void record_pidfd(pid_t pid, std::size_t index) { m_signalled[pid] = Identity{index, 0}; }
  /// The process `pid` names, started at `start_time` (0: unknown, then
  /// the PID alone names it), was signalled.
  void record_start(pid_t pid, unsigned long long start_time) { m_signalled[pid] = Identity{k_no_pidfd, start_time}; }

 private:
  struct Identity {
    std::size_t pidfd;
    unsigned long long start_time;
  };
  static bool same_process(SysIo& io, pid_t pid, const Identity& id, const std::vector<UniqueFd>& pidfds) {
    if (id.pidfd != k_no_pidfd) return !has_exited(io, pidfds[id.pidfd].get());
    if (id.start_time == 0) return true;
    auto info = read_task_stat(io, pid);
    return info && info->start_time == id.start_time;
  }
  std::unordered_map<pid_t, Identity> m_signalled;
};

// A signalled process that blocked the signal: it has it pending, and can
// still fork (see signal_blockers_children). `pidfd` indexes
// SignalReport::pidfds, or is k_no_pidfd.
struct Blocker {
  pid_t pid;
  std::size_t pidfd;
};

// Signals every process of the subtree not yet in `seen` (nor `skip`, the
// caller), until a pass finds no new one or `deadline` passes. With
// `blockers`, adds each signalled process that blocks the signal to it.
// Why a pinned PID is signalled only after the next read of cgroup.procs
// still lists it: between a read and the pin the process can exit, be
// reaped and its PID be reused by a process outside the job, whenever the
// job is not FROZEN (still freezing; a caller inside the job; on v2 a frozen
// task killed from outside and reaped by a parent outside). A pinned task
// that is alive when signalled was alive at that later read, so it held the
// PID then, and the PID was in the job. The pin is a pidfd, or before 5.3
// the task's /proc/PID directory (lib/signal/pinned_task.h says how a kill(2)
// through it is known to have reached that task).
Status signal_until_no_new_pids(const Cgroup& job, int sig, pid_t skip, Deadline deadline,
                                SignalledSet& seen, SignalReport& report, std::vector<Blocker>* blockers) {
  SysIo& io = job.io();
  std::size_t budget = pidfd_budget();
  Status first;
  std::vector<PinnedTask> unconfirmed;
  for (;;) {
    auto subtree = open_subtree(job);
    if (!subtree) return subtree.error();
    auto pids = subtree_procs(*subtree);
    if (!pids) return pids.error();
    std::unordered_set<pid_t> listed(pids->begin(), pids->end());
    for (auto& task : unconfirmed) {
      if (!listed.count(task.pid())) continue;  // gone, or no longer ours to signal
      auto sent = task.signal(sig);
      if (!sent) {
        if (sent.error().errnum != ESRCH && first.ok()) first = sent.error();
        continue;
      }
      ++report.signalled;
      if (*sent == PinnedTask::Delivery::unconfirmed) report.unconfirmed.push_back(task.pid());
      std::size_t pidfd = k_no_pidfd;
      if (task.by_pidfd() && report.pidfds.size() < budget) {
        pidfd = report.pidfds.size();
        seen.record_pidfd(task.pid(), pidfd);
        report.pidfds.push_back(task.take_pidfd());
      } else if (auto info = read_task_stat(io, task.pid()); task.alive()) {
        // Still pinned after the read: the start time is that process's.
        // Unreadable (0): the PID alone, as before pidfds.
        seen.record_start(task.pid(), info ? info->start_time : 0);
      }
      if (blockers) {
        auto blocked = blocks_signal(io, task.pid(), sig);
        if (blocked && *blocked) blockers->push_back({task.pid(), pidfd});
      }
    }
    unconfirmed.clear();
    for (pid_t pid : *pids) {
      if (pid == skip || !seen.first_time(io, pid, report.pidfds)) continue;
      auto task = PinnedTask::pin(io, pid);
      if (!task) {
        if (task.error().errnum != ESRCH && task.error().errnum != ENOENT && first.ok()) first = task.error();
        continue;
      }
      report.pinned_by_proc = report.pinned_by_proc || !task->by_pidfd();
      unconfirmed.push_back(std::move(*task));
    }
    if (unconfirmed.empty() || deadline.expired(io)) return first;
  }
}

// Whether `b` still blocks `sig`: not if it has gone (its pidfd polls
// readable; without one, /proc says so) or has unblocked it, which delivers it.
bool still_blocking(SysIo& io, const SignalReport& report, const Blocker& b, int sig) {
  auto exited = [&] { return b.pidfd != k_no_pidfd && has_exited(io, report.pidfds[b.pidfd].get()); };
  if (exited()) return false;
  auto blocked = blocks_signal(io, b.pid, sig);
  // Read after the poll, the answer is this process's unless it exited
  // (and its PID was reused) in between: poll again.
  return blocked && *blocked && !exited();
}

// Why: a process that blocks the signal keeps it pending, frozen or not, and
// can still fork; a child does not inherit pending signals (fork(2)). dash
// blocks every signal around each fork and vfork, so a SIGTERM to a job of
// shell loops could miss a child forked just after the thaw, before its
// parent unblocked the signal and died. So each process that blocked it is
// watched until it has gone or unblocked it, with the job re-read each time:
// a child forked meanwhile is in the job by the read that follows, and is
// signalled like the rest (and watched too, as it inherits the mask). A
// process still blocking the signal at `deadline` is returned: a child it
// forks after that may miss the signal.
Result<std::vector<pid_t>> signal_blockers_children(const Cgroup& job, int sig, pid_t skip, Deadline deadline,
                                                    SignalledSet& seen, SignalReport& report,
                                                    std::vector<Blocker>& blockers) {
  SysIo& io = job.io();
  Clock::duration nap = std::chrono::milliseconds(1);
  for (;;) {
    // Those done before the re-read: every child of theirs is in it.
    std::erase_if(blockers, [&](const Blocker& b) { return !still_blocking(io, report, b, sig); });
    auto more = signal_until_no_new_pids(job, sig, skip, deadline, seen, report, &blockers);
    if (!more) return more.error();
    if (blockers.empty() || deadline.expired(io)) break;
    // An exit ends the wait; an unblock shows only in /proc, so the wait is
    // short at first and grows.
    std::vector<pollfd> fds;
    for (const auto& b : blockers) {
      if (b.pidfd != k_no_pidfd) fds.push_back({report.pidfds[b.pidfd].get(), POLLIN, 0});
    }
    (void)io.poll(fds, deadline.remaining(io, nap));
    nap = std::min<Clock::duration>(nap * 2, std::chrono::milliseconds(64));
  }
  std::vector<pid_t> left;
  for (const auto& b : blockers) left.push_back(b.pid);
  return left;
}

// The caller runs inside the job (or cannot tell that it does not): freezing
// the job would freeze the caller with it, holding the job's lock, and
// nothing could thaw it (a supervisor script inside its job stopping its
// siblings); cgroup.kill would kill the caller too. So the others are
// signalled as they are: best effort against forks.
Result<SignalReport> signal_from_inside(const Cgroup& job, int sig, const Caller& caller, Deadline bounded) {
  SignalReport report;
  report.best_effort = true;
  report.caller_unknown = !caller.known();
  SignalledSet seen;
  auto sent = signal_until_no_new_pids(job, sig, caller.pid, bounded, seen, report, nullptr);
  if (!sent) return sent.error();
  return report;
}

// cgroup.signal (the project's kernel patch, kernel/patches/linux-6.1):
// any signal, one write, race-free against forks, nothing frozen.
// cgroup.kill (5.14+): SIGKILL alike. Both are v2 only: a v1 job has
// neither file (lib/io/capabilities.h). nullopt: neither applies here.
Result<std::optional<SignalReport>> signal_by_one_write(const Cgroup& job, int sig, CountFirst count_first) {
  SignalReport report;
  bool done = false;
  auto count = try_subtree_write(job, has_cgroup_signal(job), "cgroup.signal", std::to_string(sig), count_first, done);
  if (!count) return count.error();
  report.used_cgroup_signal = done;
  if (!done && sig == SIGKILL) {
    count = try_subtree_write(job, has_cgroup_kill(job), "cgroup.kill", "1", count_first, done);
    if (!count) return count.error();
    report.used_cgroup_kill = done;
    if (done) kill_exited_leaders(job);
  }
  if (!done) return std::optional<SignalReport>();
  report.signalled = *count;
  return std::optional<SignalReport>(std::move(report));
}

// The freeze path: hold the job frozen (lib/freezer/job_hold.h), signal every
// process through a pidfd until no new one appears, put the state back.
// Interrupts wait until the state is back; a stop (SIGTSTP, SIGTTIN,
// SIGTTOU) puts the state back, lets go of the locks, stops, and after
// SIGCONT takes the job again and goes on: a process signalled before the
// stop is not signalled twice.
Result<SignalReport> signal_frozen(Freezer& freezer, const Cgroup& job, int sig, Deadline deadline,
                                   Deadline bounded, const Caller& caller, Clock::duration freeze_wait) {
  SysIo& io = job.io();
  SignalReport report;
  SignalledSet seen;
  std::vector<Blocker> blockers;
  // SIGKILL and SIGSTOP cannot be blocked.
  std::vector<Blocker>* watch = sig == SIGKILL || sig == SIGSTOP ? nullptr : &blockers;
  DeferInterrupts defer;
  const bool thaw_subjobs = sig == SIGKILL && !freezer.traits().frozen_die_of_sigkill;
  auto stop_or_interrupt = [&] { return defer.interrupted() || defer.stop_requested(); };
  for (;;) {
    // The first lock wait is bounded by the caller's deadline (its own bound
    // when there is none); everything after it by `bounded`.
    std::optional<JobHold> hold;
    {
      auto taken = JobHold::take(freezer, job, thaw_subjobs, deadline);
      if (!taken) return taken.error();
      hold.emplace(std::move(*taken));
    }
    deadline = bounded;
    auto requested = hold->freeze(deadline);
    if (!requested) {
      (void)hold->put_back(deadline, {}, Clock::duration::zero());
      return requested.error();
    }
    // An interrupt or a stop held back meanwhile ends the wait at its next
    // re-read, so a job that cannot freeze is put back at once. One wait, not
    // slices of one: the wait's nudges grow apart and every 8th thaws and
    // re-freezes (v1), a schedule each new slice would start over.
    auto until_frozen = [&]() -> bool {
      return hold->wait_frozen(deadline.min(Deadline::after(io, freeze_wait)), stop_or_interrupt);
    };
    bool frozen = until_frozen();
    Status first;
    if (!stop_or_interrupt()) first = signal_until_no_new_pids(job, sig, caller.pid, Deadline::never(), seen, report, watch);
    // Why: while the job is not FROZEN yet (v1 FREEZING with busy forkers, a
    // loaded machine), a task can be inside fork(2) when we signal it. The
    // kernel (6.x copy_process) checks for a fatal signal, then makes the
    // child visible, and only then links it into the cgroup
    // (cgroup_post_fork): that child can miss our last read of cgroup.procs
    // and run on unsignalled. Once the job is FROZEN no task is inside
    // fork(2), so one more pass after that sees every child. A job that
    // cannot freeze (a task stuck in FUSE) gets a few bounded tries, the
    // first even past the deadline: a re-read costs little.
    for (int round = 0; !frozen && round < k_settle_rounds && !stop_or_interrupt(); ++round) {
      frozen = until_frozen();
      auto more = signal_until_no_new_pids(job, sig, caller.pid, Deadline::never(), seen, report, watch);
      if (first.ok()) first = more;
      if (deadline.expired(io)) break;
    }
    // Every path puts the state back; a restore that fails for good is the
    // error reported (and stays recorded for the next run).
    auto back = hold->put_back(deadline, report.pidfds, k_exit_grace);
    if (!back) return back.error();
    if (defer.stop_requested() && !defer.interrupted()) {
      hold.reset();  // let go of the locks while stopped: nobody waits on us
      defer.stop_here();
      continue;
    }
    // (An interrupted run ends by its signal once the state is back.)
    report.freeze_incomplete = !frozen && !defer.interrupted();
    if (!first) return first.error();
    // A job put back FROZEN runs nothing, so forks nothing, until a thaw.
    if (!blockers.empty() && !defer.interrupted() && !hold->left_frozen()) {
      auto left = signal_blockers_children(job, sig, caller.pid, bounded.min(Deadline::after(io, k_blocker_watch)),
                                           seen, report, blockers);
      if (!left) return left.error();
      report.still_blocking = std::move(*left);
    }
    return report;
  }
}

}  // namespace

Result<SignalReport> signal_job(Freezer& freezer, const Cgroup& job, int sig, Deadline deadline,
                                const Caller& caller, Clock::duration freeze_wait, CountFirst count_first) {
  // Without a deadline, the signalling itself still ends: EBUSY retries of
  // the freeze (old v1 kernels), the v1 SIGKILL thaw, a fork loop signalled
  // from inside. (A lock wait has its own bound, with its own error.)
  const Deadline bounded = deadline.is_never() ? Deadline::after(job.io(), k_signal_bound) : deadline;
  if (runs_inside(job, caller)) return signal_from_inside(job, sig, caller, bounded);
  auto written = signal_by_one_write(job, sig, count_first);
  if (!written) return written.error();
  if (*written) return std::move(**written);
  return signal_frozen(freezer, job, sig, deadline, bounded, caller, freeze_wait);
}

Result<std::size_t> count_processes(const Cgroup& job, pid_t skip) {
  auto subtree = open_subtree(job);
  if (!subtree) return subtree.error();
  auto pids = subtree_procs(*subtree);
  if (!pids) return pids.error();
  return pids->size() - static_cast<std::size_t>(std::count(pids->begin(), pids->end(), skip));
}

Result<std::size_t> wait_empty(Freezer& freezer, const Cgroup& job, std::span<const UniqueFd> pidfds,
                               Deadline deadline, const Caller& caller) {
  SysIo& io = job.io();
  // A caller inside the job waits for the others: populated stays 1.
  const pid_t skip = caller.inside(job) ? caller.pid : 0;
  // cgroup.events: v2 only; a v1 job has no such file and waits by counting.
  (void)freezer;
  UniqueFd events;
  if (skip == 0) {
    auto fd = io.open_file(job.dir(), "cgroup.events");
    if (fd) events = std::move(*fd);
  }
  // A job removed meanwhile (cgfreeze rm) is empty.
  auto count = [&]() -> Result<std::size_t> {
    auto left = count_processes(job, skip);
    if (!left && is_gone(left.error())) return std::size_t{0};
    return left;
  };
  ExitCursor exits(io, pidfds);
  // The kernel's rate limit can hold the populated 0 notification back up
  // to 12 ms (HZ=250): re-read cgroup.events after 1, 2, 4 and 8 ms so a
  // quick exit is seen at once, then every 16 ms, which also bounds the wait
  // should a notification never come (a wait on POLLPRI alone, the bench's
  // floor program, once ran into its 120 s limit on 5,000 exiting churners,
  // not explained: slow or missed, the run did not tell). Re-reading
  // every 1-2 ms throughout cost cgkill 4x the CPU of the freeze path while
  // 1,000 spinners exited after cgroup.signal, CPU the exiting tasks needed
  // (bench/results/2026-12-02-patched-v2.md).
  Backoff backoff(std::chrono::milliseconds(1), std::chrono::milliseconds(events.valid() ? 16 : 8));
  // While signalled processes live the job is not empty, but one may have
  // been moved out of the job: count now and then anyway.
  Backoff recount(std::chrono::milliseconds(16), std::chrono::milliseconds(256));
  Clock::time_point next_count = io.now();
  for (;;) {
    if (events.valid()) {
      // populated counts the whole subtree and drops to 0 as the last task
      // exits, before the zombies are reaped.
      auto text = io.reread(events.get(), job.path());
      if (!text) {
        if (is_gone(text.error())) return std::size_t{0};
        return text.error();
      }
      auto populated = keyed_number(*text, "populated", join_path(job.path(), "cgroup.events"));
      if (!populated) return populated.error();
      if (*populated == 0) return std::size_t{0};
    }
    bool all_exited = exits.all_exited();
    bool expired = deadline.expired(io);
    // With cgroup.events, populated already answers for the whole subtree
    // (a process moved out no longer counts): count only to report what is
    // left at the deadline. Counting reads every cgroup.procs below the job:
    // after cgroup.kill of 1,000 spinners, recounting on each wake-up took
    // 2.3 times the CPU of a wait on populated alone (bench, v2).
    bool count_now = events.valid() ? expired : all_exited || expired || io.now() >= next_count;
    if (count_now) {
      auto left = count();
      if (!left) return left.error();
      if (*left == 0 || expired) return left;
      if (!all_exited) next_count = io.now() + recount.next();
    }
    std::vector<pollfd> fds;
    if (!all_exited) fds.push_back(pollfd{exits.current(), POLLIN, 0});
    if (events.valid()) fds.push_back(pollfd{events.get(), POLLPRI, 0});
    auto n = io.poll(fds, deadline.remaining(io, backoff.next()));
    if (!n) return n.error();
  }
}

void raise_fd_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace cgjob
