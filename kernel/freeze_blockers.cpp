#include "kernel/freeze_blockers.h"

namespace cgjob {
namespace {

bool looks_frozen(const TaskInfo& t, HierarchyKind kind) {
  bool in_freezer = t.wchan == "do_freezer_trap" || t.wchan == "__refrigerator" || t.wchan == "refrigerator";
  if (kind == HierarchyKind::v2) return in_freezer;
  bool stuck_in_fs = t.wchan.find("fuse") != std::string::npos || t.wchan.find("nfs") != std::string::npos ||
                     t.wchan.find("rpc") != std::string::npos;
  return in_freezer || (t.state == 'D' && !stuck_in_fs);
}

}  // namespace

Result<std::vector<TaskInfo>> tasks_not_frozen(const Cgroup& job, HierarchyKind kind) {
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
    if (!looks_frozen(t, kind)) blockers.push_back(t);
  }
  return blockers.empty() ? all : blockers;
}

}  // namespace cgjob
