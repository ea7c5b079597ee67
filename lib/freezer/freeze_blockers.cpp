#include "lib/freezer/freeze_blockers.h"

namespace cgjob {

Result<std::vector<TaskInfo>> tasks_not_frozen(const Cgroup& job, const HierarchyTraits& hierarchy) {
  auto subtree = open_subtree(job);
  if (!subtree) return subtree.error();
  std::vector<TaskInfo> all;
  for (const auto& cg : *subtree) {
    auto tids = cg.threads();
    if (!tids) continue;
    for (pid_t tid : *tids) {
      auto info = read_task_info(job.io(), tid);
      if (info) all.push_back(std::move(*info));
    }
  }
  std::vector<TaskInfo> blockers;
  for (const auto& t : all) {
    if (!hierarchy.looks_frozen(t)) blockers.push_back(t);
  }
  return blockers.empty() ? all : blockers;
}

}  // namespace cgjob
