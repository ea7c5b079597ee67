// The two hierarchies' tables (lib/cgroup/hierarchy_traits.h).

#include "lib/cgroup/hierarchy_traits.h"

#include <string>

#include "lib/base/text.h"
#include "lib/io/task_info.h"

namespace cgjob {
namespace {

// A task asleep in the freezer: do_freezer_trap (v2), the refrigerator
// (v1; v2 too since 6.1's freezer rework).
bool sleeps_in_freezer(const TaskInfo& task) {
  return task.wchan == "do_freezer_trap" || task.wchan == "__refrigerator" || task.wchan == "refrigerator";
}

// Why: a task frozen by v1 shows state D and keeps the wait channel it slept
// in, so which task blocks a freeze can only be guessed: one not in D, or in
// D waiting on FUSE or NFS (which the freezer cannot freeze).
bool v1_looks_frozen(const TaskInfo& t) {
  bool stuck_in_fs = t.wchan.find("fuse") != std::string::npos || t.wchan.find("nfs") != std::string::npos ||
                     t.wchan.find("rpc") != std::string::npos;
  return sleeps_in_freezer(t) || (t.state == 'D' && !stuck_in_fs);
}

const HierarchyTraits k_v1_traits{
    .kind = HierarchyKind::v1,
    // The line of the hierarchy that holds the freezer ("4:freezer:/x",
    // "7:cpu,freezer:/x").
    .is_own_cgroup_line = [](std::string_view, std::string_view controllers) {
      return list_contains(controllers, "freezer");
    },
    .looks_frozen = v1_looks_frozen,
    .clone_into_cgroup = false,
    .tells_populated = false,
    .tells_parent_freezing = true,
    .notifies_changes = false,
    .lists_hidden_processes = false,
    .systemd_may_own = false,
    .move_access = "write access to the job's cgroup.procs and, unless root, the same uid as the process",
    .move_needs_common_ancestor = false,
};

const HierarchyTraits k_v2_traits{
    .kind = HierarchyKind::v2,
    // The unified hierarchy's line: ID 0, no controllers ("0::/x").
    .is_own_cgroup_line = [](std::string_view id, std::string_view controllers) {
      return id == "0" && controllers.empty();
    },
    // A task frozen by v2 sleeps in the freezer, nowhere else.
    .looks_frozen = sleeps_in_freezer,
    .clone_into_cgroup = true,
    .tells_populated = true,
    .tells_parent_freezing = false,
    .notifies_changes = true,
    .lists_hidden_processes = true,
    .systemd_may_own = true,
    .move_access = "write access to cgroup.procs of the job and of the common ancestor of its cgroup and the job",
    .move_needs_common_ancestor = true,
};

}  // namespace

const HierarchyTraits& hierarchy_traits(HierarchyKind kind) {
  return kind == HierarchyKind::v1 ? k_v1_traits : k_v2_traits;
}

}  // namespace cgjob
