#pragma once
// Which tasks keep a job from freezing: what a timeout reports.

#include <vector>

#include "lib/cgroup/cgroup.h"
#include "lib/cgroup/hierarchy_traits.h"
#include "lib/io/task_info.h"

namespace cgjob {

/// The tasks (threads) of `job` and its sub-jobs that do not look frozen
/// (`hierarchy.looks_frozen`). When the guess finds none, every task is listed.
Result<std::vector<TaskInfo>> tasks_not_frozen(const Cgroup& job, const HierarchyTraits& hierarchy);

}  // namespace cgjob
