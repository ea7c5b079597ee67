#pragma once
// A freeze state that a run sets without anybody asking for it, and puts
// back: cgkill freezes a job to signal it race-free, and on v1 SIGKILL thaws
// its frozen sub-jobs so that their tasks can die.

#include <optional>
#include <vector>

#include "lib/cgroup/cgroup.h"
#include "lib/freezer/freezer.h"
#include "lib/freezer/job_lock.h"

namespace cgjob {

/// Holds `job` (and, for v1 SIGKILL, its frozen sub-jobs) under their locks
/// from take() to put_back(), with each hold recorded in its lock file: the
/// state to put back survives a SIGKILL of this run (lib/freezer/job_lock.h). The
/// destructor puts back what put_back() did not (runc's freezer does the
/// same on every error path: a cgroup left FROZEN is the worst outcome).
class JobHold {
 public:
  /// Takes the job's lock and reads its own freeze request, the state to put
  /// back. With `thaw_subjobs` (v1 SIGKILL), also the lock of each sub-job
  /// that asked to be frozen, parents first as every run takes them.
  static Result<JobHold> take(Freezer& freezer, const Cgroup& job, bool thaw_subjobs, Deadline deadline);

  JobHold(JobHold&&) noexcept = default;
  JobHold& operator=(JobHold&&) = delete;
  ~JobHold();

  /// Freezes the job (recorded first, so that a death right after the write
  /// is put back by the next run).
  Status freeze(Deadline deadline);
  /// Waits until the job is FROZEN, `deadline` or `stop`; nudges it (v1)
  /// under the lock held.
  bool wait_frozen(Deadline deadline, const std::function<bool()>& stop);
  /// Puts every state back: the job's own request; with thaw_subjobs, a thaw
  /// of the job and its frozen sub-jobs, then (once the killed have gone, at
  /// most `exit_grace` or `deadline`, waiting on `exits`) a re-freeze of
  /// those that were frozen. A write that fails is tried a few times whatever
  /// the deadline. The records are cleared once everything is back.
  Status put_back(Deadline deadline, std::span<const UniqueFd> exits, Clock::duration exit_grace);
  /// Whether put_back leaves the job frozen: it had asked to be before the hold.
  bool left_frozen() const { return m_was_frozen[0]; }
  /// Ends the hold with the job's own request `frozen` (a checkpoint's
  /// --leave), recorded as this run's request: a freeze kept this way is
  /// the job's state, no longer one to put back. Not with thaw_subjobs.
  Status keep(bool frozen, Deadline deadline);

  const Cgroup& job() const { return m_subtree.front(); }

 private:
  JobHold(Freezer& freezer, std::vector<Cgroup> subtree) : m_freezer(&freezer), m_subtree(std::move(subtree)) {}
  Status restore(std::size_t i, bool freeze, Deadline deadline);

  Freezer* m_freezer;
  std::vector<Cgroup> m_subtree;       ///< the job first; its sub-jobs where thaw_subjobs
  std::vector<bool> m_was_frozen;      ///< each one's own request before the hold
  std::vector<std::optional<JobLock>> m_locks;  ///< held for the job and the self-frozen sub-jobs
  bool m_thaw_subjobs = false;
  bool m_changed = false;              ///< something is not as it was until put_back()
};

}  // namespace cgjob
