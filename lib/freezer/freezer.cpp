#include "lib/freezer/freezer.h"

#include <fcntl.h>

#include <algorithm>
#include <functional>
#include <optional>

#include "lib/freezer/freezer_backends.h"
#include "lib/freezer/job_lock.h"

namespace cgjob {
namespace {

constexpr auto k_first_pause = std::chrono::milliseconds(1);
constexpr auto k_max_nudge_pause = std::chrono::milliseconds(256);
// The first nudge comes no earlier than this many times the request's write
// took: 5,000 churning tasks take ~20 ms to freeze on v1 here, and nudging
// them at 8 and 24 ms cost 12 ms of the wait (bench, N=5000).
constexpr int k_nudge_per_write = 4;
// How long a request without --wait and --timeout retries EBUSY.
constexpr auto k_bare_request_retry = std::chrono::seconds(10);
// How often a wait checks that its request still stands: one small read.
constexpr auto k_reversal_check = std::chrono::milliseconds(20);

bool reached(const FreezerStatus& st, bool freeze) {
  return freeze ? st.state == FreezeState::frozen : st.state == FreezeState::thawed;
}

// A nudge writes FROZEN again. Made only while the job's own request still
// stands, and under its lock (lib/freezer/job_lock.h): a thaw requested meanwhile
// by another run is never undone by an older freeze's nudge. `held`: the
// caller's lock of the job, or null to take it here; a lock held by another
// run is not waited for: that run is changing the job, and the next nudge
// comes soon enough.
void nudge_if_requested(Freezer& freezer, const Cgroup& cg, unsigned nudges, const JobLock* held) {
  std::optional<JobLock> taken;
  if (!held) {
    auto locked = JobLock::try_acquire(freezer, cg);
    if (!locked || !*locked) return;
    taken = std::move(*locked);
    held = &*taken;
  }
  auto self = freezer.self_freezing(cg);
  if (self && *self) (void)freezer.nudge(*held, cg, nudges);
}

// Whether another run (or a raw write) has reversed the request we wait
// for: the job's own request differs from ours, also under its lock (cgkill
// freezes a job for a moment under it, and v1 SIGKILL thaws one: neither is
// a reversal). A lock held by somebody now is asked again later.
bool request_reversed(Freezer& freezer, const Cgroup& cg, bool freeze) {
  auto self = freezer.self_freezing(cg);
  if (!self || *self == freeze) return false;
  auto locked = JobLock::try_acquire(freezer, cg);
  if (!locked || !*locked) return false;
  self = freezer.self_freezing(cg);
  return self && *self != freeze;
}

// Ends the wait of a job whose own state reached the target (reached, or
// the error of the look below) unless, for a freeze, a cgroup below it is
// not frozen yet. Nothing notifies the job's watch when a sub-job freezes
// after the job itself (its own frozen flag is set already): the wait's
// re-reads see it.
bool finish(Freezer& freezer, const Cgroup& job, bool freeze, ChangeOutcome& outcome,
            std::vector<bool>::reference pending) {
  if (freeze) {
    auto below = freezer.below_frozen(job);
    if (below && !*below) return false;
    if (!below) {
      outcome.request = below.error();
      pending = false;
      return true;
    }
  }
  outcome.reached = true;
  pending = false;
  return true;
}

// Waits for the jobs marked pending; clears pending[i] once job i reached the
// target or failed (then outcome error is set).
// `write_took`: how long the request's write took, which grows with the
// number of tasks it walked; nudges (which walk them again) wait longer for
// a larger job.
// `held`: empty (our own request, made and released: nudges take the lock,
// and the wait watches for the request's reversal too), or the locks the
// caller holds, one per job (it made the request and keeps it).
// `nudge_limit`: when not zero, the wait also ends one nudge pause after
// that many nudges (a freeze without --wait).
// `stop`: when set, the wait also ends once it returns true, asked at every
// re-read (cgkill: an interrupt held back meanwhile).
void wait_for(Freezer& freezer, std::span<const Cgroup* const> jobs, std::vector<UniqueFd>& watches,
              std::vector<ChangeOutcome>& outcomes, bool freeze, Deadline deadline,
              std::span<const JobLock* const> held,
              Clock::duration write_took = Clock::duration::zero(), unsigned nudge_limit = 0,
              const std::function<bool()>& stop = {}) {
  SysIo& io = jobs.empty() ? real_sys_io() : jobs.front()->io();
  const auto plan = freezer.traits().poll_plan;
  Backoff fine(plan.first_pause, plan.fine_pause);
  Backoff coarse(plan.fine_pause, plan.max_pause);
  Clock::time_point fine_until = io.now() + plan.fine_window;
  const bool nudging = freeze && freezer.traits().nudge_interval > Clock::duration::zero();
  // Each nudge walks every task of the job, so they start once a freeze takes
  // longer than most do and grow apart from there.
  Backoff nudge_pause(std::max(freezer.traits().nudge_interval, k_nudge_per_write * write_took), k_max_nudge_pause);
  Clock::time_point next_nudge = io.now() + nudge_pause.next();
  unsigned nudges = 0;
  // A request reversed by another run would leave us waiting forever.
  const bool watch_reversal = held.empty();
  Clock::time_point next_reversal_check = io.now() + k_reversal_check;
  std::vector<bool> pending(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) pending[i] = outcomes[i].request.ok();
  for (;;) {
    std::vector<pollfd> fds;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      if (!pending[i]) continue;
      if (watches[i].valid()) {
        // The watch alone says whether the job is frozen; status() (four
        // more reads) only where that is not the whole answer: THAWED also
        // needs no freeze request above, and a failed read needs its error.
        // Right after the write the job's tasks compete with us for the CPU.
        auto text = io.reread(watches[i].get(), jobs[i]->path());  // also re-arms the watch
        if (text) {
          bool frozen = freezer.frozen_per_watch(*text);
          if (freeze && frozen && finish(freezer, *jobs[i], true, outcomes[i], pending[i])) continue;
          if (freeze || frozen) {
            fds.push_back(pollfd{watches[i].get(), POLLPRI, 0});
            continue;
          }
        }
      }
      auto st = freezer.status(*jobs[i]);
      if (!st) {
        outcomes[i].request = st.error();
        pending[i] = false;
      } else if (reached(*st, freeze) && finish(freezer, *jobs[i], freeze, outcomes[i], pending[i])) {
        continue;
      } else if (watches[i].valid()) {
        fds.push_back(pollfd{watches[i].get(), POLLPRI, 0});
      }
    }
    if (watch_reversal && io.now() >= next_reversal_check) {
      for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (!pending[i] || !request_reversed(freezer, *jobs[i], freeze)) continue;
        outcomes[i].request = text_error(std::string("another run asked to ") + (freeze ? "thaw" : "freeze") +
                                             " the job meanwhile",
                                         jobs[i]->path(), ECANCELED);
        pending[i] = false;
      }
      next_reversal_check = io.now() + k_reversal_check;
    }
    bool any = false;
    for (bool p : pending) any = any || p;
    if (!any || deadline.expired(io) || (stop && stop())) return;
    if (nudging && io.now() >= next_nudge) {
      if (nudge_limit != 0 && nudges >= nudge_limit) return;
      for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (pending[i]) nudge_if_requested(freezer, *jobs[i], nudges, held.empty() ? nullptr : held[i]);
      }
      ++nudges;
      next_nudge = io.now() + nudge_pause.next();
    }
    auto pause = io.now() < fine_until ? fine.next() : coarse.next();
    auto ready = io.poll(fds, deadline.remaining(io, pause));
    if (ready && *ready > 0) fine_until = io.now() + plan.fine_window;
  }
}

}  // namespace

std::string_view to_string(FreezeState state) {
  switch (state) {
    case FreezeState::thawed: return "THAWED";
    case FreezeState::freezing: return "FREEZING";
    case FreezeState::frozen: return "FROZEN";
  }
  return "THAWED";
}

std::unique_ptr<Freezer> make_freezer(SysIo& io, HierarchyKind kind) {
  return kind == HierarchyKind::v1 ? make_v1_freezer(io) : make_v2_freezer(io);
}

Status Freezer::write_request(const JobLock& held, const Cgroup& cg, bool freeze) {
  if (!held.covers(cg)) return text_error("not holding the job's lock", cg.path(), EINVAL);
  return write_state(cg, freeze);
}

Status Freezer::nudge(const JobLock& held, const Cgroup& cg, unsigned nudges) {
  if (!held.covers(cg)) return text_error("not holding the job's lock", cg.path(), EINVAL);
  return nudge_state(cg, nudges);
}

Status request_with_retry(Freezer& freezer, const JobLock& held, const Cgroup& cg, bool freeze,
                          Deadline deadline) {
  SysIo& io = cg.io();
  Backoff backoff(k_first_pause, std::chrono::milliseconds(64));
  for (;;) {
    auto written = freezer.write_request(held, cg, freeze);
    // Why: before 3.x-era rework, a v1 freezer answered EBUSY while a
    // previous transition was under way; userspace was told to retry.
    if (written || written.error().errnum != EBUSY || deadline.expired(io)) return written;
    pollfd none{};
    (void)io.poll(std::span<pollfd>(&none, 0), deadline.remaining(io, backoff.next()));
  }
}

std::vector<ChangeOutcome> change_freeze(Freezer& freezer, std::span<const Cgroup* const> jobs,
                                         bool freeze, bool wait, Deadline deadline,
                                         const std::function<bool()>& stop) {
  std::vector<ChangeOutcome> outcomes(jobs.size());
  std::vector<UniqueFd> watches(jobs.size());
  if (wait) {
    for (std::size_t i = 0; i < jobs.size(); ++i) watches[i] = freezer.open_watch(*jobs[i]);
  }
  Clock::duration write_took{};
  // A bare request with no deadline still gives up retrying EBUSY at some point.
  const Deadline write_deadline = !wait && deadline.is_never() && !jobs.empty()
                                      ? Deadline::after(jobs.front()->io(), k_bare_request_retry)
                                      : deadline;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const Cgroup& job = *jobs[i];
    // Not while cgkill holds the job frozen to signal it: its restore would
    // undo this request (a lost update). Held for the write only, not the
    // wait; the state before it is read under the same hold.
    auto lock = JobLock::acquire(freezer, job, deadline);
    if (!lock) {
      outcomes[i].request = lock.error();
      continue;
    }
    auto before = freezer.self_freezing(job);
    if (!before) {
      outcomes[i].request = before.error();
      continue;
    }
    outcomes[i].was_self_freezing = *before;
    auto start = job.io().now();
    outcomes[i].request = request_with_retry(freezer, *lock, job, freeze, write_deadline);
    write_took = std::max(write_took, job.io().now() - start);
    if (outcomes[i].request) (void)lock->record_request();
  }
  if (wait) {
    wait_for(freezer, jobs, watches, outcomes, freeze, deadline, {}, write_took, 0, stop);
  } else if (freeze && freezer.traits().settle_nudges > 0 && !jobs.empty()) {
    // Why: a v1 job of busy forkers can stay FREEZING for good after one
    // write (6.18: the forking task waits in kernel_clone, seen in 1 of 40
    // freezes; PREEMPT_RT 6.1 in a slow guest: 3 of 12 after 50 ms of
    // re-writes) until FROZEN is written again. A bare request would leave
    // it so; a bounded wait nudges it along (HierarchyTraits::settle_nudges). What it finds
    // is not this request's outcome: the request went in either way.
    auto settling = outcomes;
    wait_for(freezer, jobs, watches, settling, true, deadline, {}, write_took, freezer.traits().settle_nudges,
             stop);
  }
  return outcomes;
}

Result<bool> undo_freeze(Freezer& freezer, const Cgroup& cg, const ChangeOutcome& outcome, Deadline deadline) {
  if (outcome.was_self_freezing) return false;
  auto lock = JobLock::acquire(freezer, cg, deadline);
  if (!lock) return lock.error();
  if (!lock->last_request_is_ours()) return false;
  auto thawed = request_with_retry(freezer, *lock, cg, false, deadline);
  if (!thawed) return thawed.error();
  return true;
}

std::vector<bool> wait_frozen(Freezer& freezer, std::span<const Cgroup* const> jobs,
                              std::span<const JobLock* const> held, Deadline deadline,
                              const std::function<bool()>& stop) {
  std::vector<ChangeOutcome> outcomes(jobs.size());
  std::vector<UniqueFd> watches(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) watches[i] = freezer.open_watch(*jobs[i]);
  wait_for(freezer, jobs, watches, outcomes, true, deadline, held, Clock::duration::zero(), 0, stop);
  std::vector<bool> out;
  for (const auto& o : outcomes) out.push_back(o.reached);
  return out;
}

Result<std::string> freezing_ancestor(Freezer& freezer, const Cgroup& cg, std::string_view mount) {
  std::string path = cg.path();
  for (;;) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos || slash <= mount.size()) return std::string();
    path.resize(slash);
    auto parent = Cgroup::open(cg.io(), path);
    if (!parent) return parent.error();
    auto self = freezer.self_freezing(*parent);
    if (!self) {
      if (is_gone(self.error())) return std::string();  // the mount root has no freezer files
      return self.error();
    }
    if (*self) return path;
  }
}

}  // namespace cgjob
