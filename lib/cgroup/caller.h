#pragma once
// The process running a tool, as the operations on a job must know it: a
// job that contains the caller is never frozen (the caller would freeze with
// it, and nothing could thaw it), and the caller never signals itself.

#include <sys/types.h>

#include <string>

#include "lib/cgroup/cgroup.h"
#include "lib/cgroup/self_cgroup.h"

namespace cgjob {

struct Caller {
  pid_t pid = 0;           ///< the calling process
  std::string cgroup_dir;  ///< its cgroup's directory in this hierarchy; empty: in none of it
  bool cgroup_known = true;  ///< false: its cgroup could not be read (a cgroup namespace, an odd mount)

  /// Whether its cgroup is known; where not, callers must not take the
  /// caller for outside any job (fail closed: lib/signal/signaller.h).
  bool known() const { return cgroup_known; }
  /// Whether the caller runs in `job` or in one of its sub-jobs; true where
  /// that cannot be told.
  bool inside(const Cgroup& job) const {
    return !known() || (!cgroup_dir.empty() && path_within(cgroup_dir, job.path()));
  }
};

/// Whether `caller` runs in `job` or one of its sub-jobs, for a decision
/// that must never freeze the caller's own job. Where its own cgroup could
/// not be read (a cgroup namespace, an odd mount), the job's process lists
/// say: the caller's PID as this namespace sees it is listed there or not.
/// Where even those cannot be read, the answer is yes (fail closed).
bool runs_inside(const Cgroup& job, const Caller& caller);

}  // namespace cgjob
