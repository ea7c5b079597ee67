#pragma once
// Which tasks keep a job from freezing: what a timeout reports.

#include <vector>

#include "kernel/cgroup.h"
#include "kernel/hierarchy.h"
#include "kernel/task_info.h"

namespace cgjob {

/// The tasks (threads) of `job` and its sub-jobs that look not frozen. v2:
/// a frozen task sleeps in do_freezer_trap (or the 6.1+ freezer's __refrigerator).
/// v1 cannot tell for sure: a frozen task shows state D and keeps its wait
/// channel, so tasks not in D, or in a FUSE/NFS wait, are listed. When the
/// guess finds none, every task is listed.
Result<std::vector<TaskInfo>> tasks_not_frozen(const Cgroup& job, HierarchyKind kind);

}  // namespace cgjob
