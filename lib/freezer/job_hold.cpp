#include "lib/freezer/job_hold.h"

#include <poll.h>

#include "lib/io/exit_cursor.h"

namespace cgjob {
namespace {

// How many times a failing write that puts the freeze state back is tried.
constexpr int k_restore_attempts = 8;

}  // namespace

Result<JobHold> JobHold::take(Freezer& freezer, const Cgroup& job, bool thaw_subjobs, Deadline deadline) {
  std::vector<Cgroup> subtree;
  if (thaw_subjobs) {
    auto all = open_subtree(job);
    if (!all) return all.error();
    subtree = std::move(*all);
  } else {
    auto top = Cgroup::open(job.io(), job.path());
    if (!top) return top.error();
    subtree.push_back(std::move(*top));
  }
  JobHold hold(freezer, std::move(subtree));
  hold.m_thaw_subjobs = thaw_subjobs;
  for (std::size_t i = 0; i < hold.m_subtree.size(); ++i) {
    const Cgroup& cg = hold.m_subtree[i];
    std::optional<JobLock> lock;
    auto self = freezer.self_freezing(cg);
    // The job is always locked; a sub-job only where it asked to be frozen
    // (only those are thawed and frozen again), read again under its lock.
    if (i == 0 || (self && *self)) {
      auto taken = JobLock::acquire(freezer, cg, deadline);
      if (!taken) {
        self = taken.error();
      } else {
        lock = std::move(*taken);
        self = freezer.self_freezing(cg);
      }
    }
    if (!self) {
      if (i == 0 || !is_gone(self.error())) return self.error();
      // A sub-job removed meanwhile has nothing left to put back.
      hold.m_was_frozen.push_back(false);
      hold.m_locks.emplace_back();
      continue;
    }
    hold.m_was_frozen.push_back(*self);
    if (!*self && i > 0) lock.reset();
    hold.m_locks.push_back(std::move(lock));
  }
  return hold;
}

JobHold::~JobHold() {
  if (m_changed) (void)put_back(Deadline::after(job().io(), std::chrono::seconds(5)), {}, Clock::duration::zero());
}

Status JobHold::freeze(Deadline deadline) {
  // Recorded before anything changes: what a SIGKILL leaves is found and put
  // back by whoever takes the lock next. Sub-jobs are recorded when thawed.
  auto recorded = m_locks[0]->record_hold(m_was_frozen[0]);
  if (!recorded) return recorded;
  m_changed = true;
  return request_with_retry(*m_freezer, *m_locks[0], job(), true, deadline);
}

bool JobHold::wait_frozen(Deadline deadline, const std::function<bool()>& stop) {
  const Cgroup* jobs[] = {&job()};
  const JobLock* held[] = {&*m_locks[0]};
  return cgjob::wait_frozen(*m_freezer, jobs, held, deadline, stop)[0];
}

Status JobHold::restore(std::size_t i, bool freeze, Deadline deadline) {
  SysIo& io = job().io();
  Backoff pause(std::chrono::milliseconds(1), std::chrono::milliseconds(64));
  Status done;
  for (int attempt = 0; attempt < k_restore_attempts; ++attempt) {
    done = request_with_retry(*m_freezer, *m_locks[i], m_subtree[i], freeze, deadline);
    if (done || is_gone(done.error())) return {};
    pollfd none{};
    (void)io.poll(std::span<pollfd>(&none, 0), pause.next());
  }
  Error e = done.error();
  e.detail = std::string("could not put the freeze state back: ") + e.reason();
  return e;
}

Status JobHold::put_back(Deadline deadline, std::span<const UniqueFd> exits, Clock::duration exit_grace) {
  if (!m_changed) return {};
  SysIo& io = job().io();
  Status first;
  auto keep_first = [&first](Status s) {
    if (first.ok() && !s.ok()) first = s;
  };
  if (m_thaw_subjobs) {
    // v1 SIGKILL: a frozen task dies only once thawed. Each sub-job thawed
    // here is recorded as held first, to be frozen again.
    bool refreeze = false;
    for (std::size_t i = 0; i < m_subtree.size(); ++i) {
      if (i > 0 && !m_was_frozen[i]) continue;
      if (i > 0 && m_locks[i]) keep_first(m_locks[i]->record_hold(true));
      if (m_locks[i]) keep_first(restore(i, false, deadline));
      refreeze = refreeze || m_was_frozen[i];
    }
    // Only where something is frozen again must the killed have gone first:
    // a v1 task with SIGKILL pending still enters the refrigerator.
    if (refreeze) {
      wait_exits(io, exits, deadline.min(Deadline::after(io, exit_grace)));
      for (std::size_t i = 0; i < m_subtree.size(); ++i) {
        if (m_was_frozen[i] && m_locks[i]) keep_first(restore(i, true, deadline));
      }
    }
  } else if (!m_was_frozen[0]) {
    keep_first(restore(0, false, deadline));
  }
  // A state that could not be put back stays recorded for the next run.
  if (!first.ok()) return first;
  for (auto& lock : m_locks) {
    if (lock) keep_first(lock->clear_hold());
  }
  m_changed = false;
  return first;
}

Status JobHold::keep(bool frozen, Deadline deadline) {
  auto done = restore(0, frozen, deadline);
  if (!done) return done;
  auto recorded = m_locks[0]->record_request();
  if (!recorded) return recorded;
  auto cleared = m_locks[0]->clear_hold();
  if (!cleared) return cleared;
  m_changed = false;
  return {};
}

}  // namespace cgjob
