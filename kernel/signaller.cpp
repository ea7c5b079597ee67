#include "kernel/signaller.h"

#include <sys/resource.h>

#include <algorithm>

#include <unordered_set>

#include "kernel/capabilities.h"
#include "kernel/defer_interrupts.h"
#include "kernel/event_file.h"
#include "kernel/job_lock.h"
#include "kernel/pinned_task.h"

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

// How many times a failing write that puts the freeze state back is tried.
constexpr int k_restore_attempts = 8;

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

// Signals every process of the subtree not yet in `seen` (nor `skip`, the
// caller), until a pass finds no new one or `deadline` passes.
// Why a pinned PID is signalled only after the next read of cgroup.procs
// still lists it: between a read and the pin the process can exit, be
// reaped and its PID be reused by a process outside the job, whenever the
// job is not FROZEN (still freezing; a caller inside the job; on v2 a frozen
// task killed from outside and reaped by a parent outside). A pinned task
// that is alive when signalled was alive at that later read, so it held the
// PID then, and the PID was in the job. The pin is a pidfd, or before 5.3
// the task's /proc/PID directory (kernel/pinned_task.h says how a kill(2)
// through it is known to have reached that task).
Status signal_until_no_new_pids(const Cgroup& job, int sig, pid_t skip, Deadline deadline,
                                std::unordered_set<pid_t>& seen, SignalReport& report) {
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
      if (task.by_pidfd() && report.pidfds.size() < budget) report.pidfds.push_back(task.take_pidfd());
    }
    unconfirmed.clear();
    for (pid_t pid : *pids) {
      if (pid == skip || !seen.insert(pid).second) continue;
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

// Walks a list of pidfds in order, past those whose process has exited.
// Why not poll(2) them all at once: every call costs O(N) in the kernel and
// wakes at each single exit, so N processes exiting one by one cost O(N^2)
// (measured: 130 ms CPU for 1,000 churning workers, against 29 ms for the
// epoll-based floor in bench/). One pidfd at a time costs O(1) per call and
// at most two calls per process; waiting on the first one still alive is as
// good as waiting on any, since we wait for all of them.
class ExitCursor {
 public:
  ExitCursor(SysIo& io, std::span<const UniqueFd> pidfds) : m_io(io), m_pidfds(pidfds) {}

  /// Skips the pidfds of exited processes; true once none is left.
  bool all_exited() {
    while (m_next < m_pidfds.size()) {
      pollfd p{m_pidfds[m_next].get(), POLLIN, 0};
      auto n = m_io.poll(std::span<pollfd>(&p, 1), Clock::duration::zero());
      if (!n || p.revents == 0) return false;
      ++m_next;
    }
    return true;
  }
  /// The first pidfd still alive, to poll on; valid while !all_exited().
  int current() const { return m_pidfds[m_next].get(); }

 private:
  SysIo& m_io;
  std::span<const UniqueFd> m_pidfds;
  std::size_t m_next = 0;
};

// Waits until every pidfd polls readable (its process exited) or the deadline.
void wait_pidfds(SysIo& io, std::span<const UniqueFd> pidfds, Deadline deadline) {
  ExitCursor exits(io, pidfds);
  while (!exits.all_exited() && !deadline.expired(io)) {
    pollfd p{exits.current(), POLLIN, 0};
    if (!io.poll(std::span<pollfd>(&p, 1), deadline.remaining(io, std::chrono::milliseconds(100)))) return;
  }
}

}  // namespace

Result<SignalReport> signal_job(Freezer& freezer, const Cgroup& job, int sig, Deadline deadline,
                                const Caller& caller, Clock::duration freeze_wait, CountFirst count_first) {
  SysIo& io = job.io();
  SignalReport report;
  std::unordered_set<pid_t> seen;
  // Without a deadline, the signalling itself still ends: EBUSY retries of
  // the freeze (old v1 kernels), the v1 SIGKILL thaw, a fork loop signalled
  // from inside. (A lock wait has its own bound, with its own error.)
  const Deadline bounded = deadline.is_never() ? Deadline::after(io, k_signal_bound) : deadline;
  if (caller.inside(job)) {
    // Freezing the job would freeze the caller with it, holding the job's
    // lock, and nothing could thaw it (a supervisor script inside its job
    // stopping its siblings). cgroup.kill would kill the caller too. So the
    // others are signalled as they are: best effort against forks.
    report.best_effort = true;
    auto sent = signal_until_no_new_pids(job, sig, caller.pid, bounded, seen, report);
    if (!sent) return sent.error();
    return report;
  }
  // cgroup.signal (the project's kernel patch, kernel/patches/linux-6.1):
  // any signal, one write, race-free against forks, nothing frozen.
  // cgroup.kill (5.14+): SIGKILL alike. Both are v2 only: a v1 job has
  // neither file (kernel/capabilities.h).
  {
    bool done = false;
    auto count = try_subtree_write(job, has_cgroup_signal(job), "cgroup.signal", std::to_string(sig), count_first, done);
    if (!count) return count.error();
    report.used_cgroup_signal = done;
    if (!done && sig == SIGKILL) {
      count = try_subtree_write(job, has_cgroup_kill(job), "cgroup.kill", "1", count_first, done);
      if (!count) return count.error();
      report.used_cgroup_kill = done;
    }
    if (done) {
      report.signalled = *count;
      return report;
    }
  }

  // From reading the freeze state to putting it back, no other run may
  // change it (kernel/job_lock.h), and no interrupt may end us: the job
  // would stay frozen with nobody having asked for it.
  auto lock = JobLock::acquire(job, deadline);
  if (!lock) return lock.error();
  DeferInterrupts defer;
  deadline = bounded;

  // Remember who asked to be frozen, to put it back afterwards. Only v1
  // SIGKILL touches sub-jobs (their tasks must be thawed to die), each under
  // its own lock, taken parents first as every run takes them.
  bool thaw_subjobs = sig == SIGKILL && !freezer.frozen_die_of_sigkill();
  auto subtree = open_subtree(job);
  if (!subtree) return subtree.error();
  std::vector<bool> was_frozen;
  std::vector<JobLock> subjob_locks;
  for (std::size_t i = 0; i < (thaw_subjobs ? subtree->size() : 1); ++i) {
    const Cgroup& cg = (*subtree)[i];
    auto self = freezer.self_freezing(cg);
    if (self && *self && i > 0) {
      auto sub_lock = JobLock::acquire(cg, deadline);
      if (!sub_lock) return sub_lock.error();
      subjob_locks.push_back(std::move(*sub_lock));
      self = freezer.self_freezing(cg);
    }
    if (!self) {
      // A sub-job removed meanwhile has nothing left to restore.
      if (i > 0 && is_gone(self.error())) {
        was_frozen.push_back(false);
        continue;
      }
      return self.error();
    }
    was_frozen.push_back(*self);
  }

  auto requested = request_with_retry(freezer, job, true, deadline);
  if (!requested) return requested.error();
  const Cgroup* top[] = {&job};
  // An interrupt held back meanwhile ends the wait at its next re-read, so
  // an interrupted cgkill puts a job that cannot freeze back at once. One
  // wait, not slices of one: the wait's nudges grow apart and every 8th
  // thaws and re-freezes (v1), a schedule each new slice would start over.
  auto until_frozen = [&]() -> bool {
    return wait_frozen(freezer, top, deadline.min(Deadline::after(io, freeze_wait)),
                       [&] { return defer.interrupted(); })[0];
  };
  bool frozen = until_frozen();

  Status first;
  if (!defer.interrupted()) first = signal_until_no_new_pids(job, sig, caller.pid, Deadline::never(), seen, report);
  // Why: while the job is not FROZEN yet (v1 FREEZING with busy forkers, a
  // loaded machine), a task can be inside fork(2) when we signal it. The
  // kernel (6.x copy_process) checks for a fatal signal, then makes the child
  // visible, and only then links it into the cgroup (cgroup_post_fork): that
  // child can miss our last read of cgroup.procs and run on unsignalled. Once
  // the job is FROZEN no task is inside fork(2), so one more pass after that
  // sees every child. A job that cannot freeze (a task stuck in FUSE) gets a
  // few bounded tries.
  // The first of these rounds is made even when the deadline has passed (the
  // pass itself may have used it up on a slow machine): a re-read costs
  // little, and a child linked meanwhile gets its signal.
  for (int round = 0; !frozen && round < k_settle_rounds && !defer.interrupted(); ++round) {
    frozen = until_frozen();
    auto more = signal_until_no_new_pids(job, sig, caller.pid, Deadline::never(), seen, report);
    if (first.ok()) first = more;
    if (deadline.expired(io)) break;
  }
  // (An interrupted run ends by its signal once the state is back.)
  report.freeze_incomplete = !frozen && !defer.interrupted();
  // Put the freeze state back on every path. A write that fails is tried
  // again a few times whatever the deadline (EINTR, EAGAIN, EBUSY pass): a
  // job left frozen is the worst outcome, so a restore that fails for good
  // is the error reported, saying so.
  auto restore = [&](std::size_t i, bool freeze) {
    Backoff pause(std::chrono::milliseconds(1), std::chrono::milliseconds(64));
    Status done;
    for (int attempt = 0; attempt < k_restore_attempts; ++attempt) {
      done = request_with_retry(freezer, (*subtree)[i], freeze, deadline);
      if (done || is_gone(done.error())) return;
      pollfd none{};
      (void)io.poll(std::span<pollfd>(&none, 0), pause.next());
    }
    Error e = done.error();
    e.detail = std::string("could not put the freeze state back: ") + e.reason();
    first = e;
  };
  if (thaw_subjobs) {
    bool refreeze = false;
    for (std::size_t i = 0; i < subtree->size(); ++i) {
      if (i == 0 || was_frozen[i]) restore(i, false);
      refreeze = refreeze || was_frozen[i];
    }
    // Only where something is frozen again must the killed have gone first:
    // a v1 task with SIGKILL pending still enters the refrigerator.
    if (refreeze) {
      wait_pidfds(io, report.pidfds, deadline.min(Deadline::after(io, k_exit_grace)));
      for (std::size_t i = 0; i < subtree->size(); ++i) {
        if (was_frozen[i]) restore(i, true);
      }
    }
  } else if (!was_frozen[0]) {
    restore(0, false);
  }
  if (!first) return first.error();
  return report;
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
      if (event_value(*text, "populated") == 0) return std::size_t{0};
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
