#include "kernel/freezer.h"

#include <fcntl.h>

#include <algorithm>

#include "kernel/freezer_backends.h"

namespace cgjob {
namespace {

constexpr auto k_first_pause = std::chrono::milliseconds(1);
constexpr auto k_max_nudge_pause = std::chrono::milliseconds(256);
// The first nudge comes no earlier than this many times the request's write
// took: 5,000 churning tasks take ~20 ms to freeze on v1 here, and nudging
// them at 8 and 24 ms cost 12 ms of the wait (bench, N=5000).
constexpr int k_nudge_per_write = 4;

bool reached(const FreezerStatus& st, bool freeze) {
  return freeze ? st.state == FreezeState::frozen : st.state == FreezeState::thawed;
}

// Whether a nudge must take the job's lock, or the caller holds it already
// (flock(2) locks per open file: taking it again would wait for ourselves).
enum class NudgeLock { take, held };

// A nudge writes FROZEN again. Made only while the job's own request still
// stands, and under its lock: a thaw requested meanwhile by another run is
// never undone by an older freeze's nudge.
void nudge_if_requested(Freezer& freezer, const Cgroup& cg, unsigned nudges, NudgeLock lock) {
  UniqueFd held;
  if (lock == NudgeLock::take) {
    auto locked = cg.io().lock_dir(cg.dir());
    if (!locked) return;
    held = std::move(*locked);
  }
  auto self = freezer.self_freezing(cg);
  if (self && *self) (void)freezer.nudge(cg, nudges);
}

// Waits for the jobs marked pending; clears pending[i] once job i reached the
// target or failed (then outcome error is set).
// `write_took`: how long the request's write took, which grows with the
// number of tasks it walked; nudges (which walk them again) wait longer for
// a larger job.
void wait_for(Freezer& freezer, std::span<const Cgroup* const> jobs, std::vector<UniqueFd>& watches,
              std::vector<ChangeOutcome>& outcomes, bool freeze, Deadline deadline, NudgeLock lock,
              Clock::duration write_took = Clock::duration::zero()) {
  SysIo& io = jobs.empty() ? real_sys_io() : jobs.front()->io();
  const auto plan = freezer.poll_plan();
  Backoff fine(plan.first_pause, plan.fine_pause);
  Backoff coarse(plan.fine_pause, plan.max_pause);
  Clock::time_point fine_until = io.now() + plan.fine_window;
  const bool nudging = freeze && freezer.nudge_interval() > Clock::duration::zero();
  // Each nudge walks every task of the job, so they start once a freeze takes
  // longer than most do and grow apart from there.
  Backoff nudge_pause(std::max(freezer.nudge_interval(), k_nudge_per_write * write_took), k_max_nudge_pause);
  Clock::time_point next_nudge = io.now() + nudge_pause.next();
  unsigned nudges = 0;
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
          if (freeze && frozen) {
            outcomes[i].reached = true;
            pending[i] = false;
            continue;
          }
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
      } else if (reached(*st, freeze)) {
        outcomes[i].reached = true;
        pending[i] = false;
      } else if (watches[i].valid()) {
        fds.push_back(pollfd{watches[i].get(), POLLPRI, 0});
      }
    }
    bool any = false;
    for (bool p : pending) any = any || p;
    if (!any || deadline.expired(io)) return;
    if (nudging && io.now() >= next_nudge) {
      for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (pending[i]) nudge_if_requested(freezer, *jobs[i], nudges, lock);
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

Status request_with_retry(Freezer& freezer, const Cgroup& cg, bool freeze, Deadline deadline) {
  SysIo& io = cg.io();
  Backoff backoff(k_first_pause, std::chrono::milliseconds(64));
  for (;;) {
    auto written = freezer.write_request(cg, freeze);
    // Why: before 3.x-era rework, a v1 freezer answered EBUSY while a
    // previous transition was under way; userspace was told to retry.
    if (written || written.error().errnum != EBUSY || deadline.expired(io)) return written;
    pollfd none{};
    (void)io.poll(std::span<pollfd>(&none, 0), deadline.remaining(io, backoff.next()));
  }
}

std::vector<ChangeOutcome> change_freeze(Freezer& freezer, std::span<const Cgroup* const> jobs,
                                         bool freeze, bool wait, Deadline deadline) {
  std::vector<ChangeOutcome> outcomes(jobs.size());
  std::vector<UniqueFd> watches(jobs.size());
  if (wait) {
    for (std::size_t i = 0; i < jobs.size(); ++i) watches[i] = freezer.open_watch(*jobs[i]);
  }
  Clock::duration write_took{};
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    // Not while a cgkill holds the job frozen to signal it: its restore would
    // undo this request (a lost update). Held for the write only, not the wait.
    auto lock = jobs[i]->io().lock_dir(jobs[i]->dir());
    if (!lock) {
      outcomes[i].request = lock.error();
      continue;
    }
    auto start = jobs[i]->io().now();
    outcomes[i].request = request_with_retry(freezer, *jobs[i], freeze, deadline);
    write_took = std::max(write_took, jobs[i]->io().now() - start);
  }
  if (wait) {
    wait_for(freezer, jobs, watches, outcomes, freeze, deadline, NudgeLock::take, write_took);
  } else if (freeze && freezer.request_settle() > Clock::duration::zero() && !jobs.empty()) {
    // Why: a v1 job of busy forkers can stay FREEZING for good after one
    // write (6.18: the forking task waits in kernel_clone, seen in 1 of 40
    // freezes) until FROZEN is written again. A bare request would leave it
    // so; a short bounded wait nudges it along. What it finds is not this
    // request's outcome: the request went in either way.
    auto settling = outcomes;
    auto settle = deadline.min(Deadline::after(jobs.front()->io(), freezer.request_settle()));
    wait_for(freezer, jobs, watches, settling, true, settle, NudgeLock::take, write_took);
  }
  return outcomes;
}

std::vector<bool> wait_frozen(Freezer& freezer, std::span<const Cgroup* const> jobs, Deadline deadline) {
  std::vector<ChangeOutcome> outcomes(jobs.size());
  std::vector<UniqueFd> watches(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) watches[i] = freezer.open_watch(*jobs[i]);
  wait_for(freezer, jobs, watches, outcomes, true, deadline, NudgeLock::held);
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
