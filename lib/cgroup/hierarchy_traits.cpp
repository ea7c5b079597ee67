// The two hierarchies' tables (lib/cgroup/hierarchy_traits.h).

#include "lib/cgroup/hierarchy_traits.h"

#include <string>

#include "lib/base/text.h"
#include "lib/io/task_info.h"

namespace cgjob {
namespace {

using std::chrono::microseconds, std::chrono::milliseconds;

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
    .state_notify_file = "",
    .request_notify_file = "",
    .lists_hidden_processes = false,
    .systemd_may_own = false,
    .move_access = "write access to the job's cgroup.procs and, unless root, the same uid as the process",
    .move_needs_common_ancestor = false,
    // A frozen task stays in the refrigerator with SIGKILL pending.
    .frozen_die_of_sigkill = false,
    // No notifications on v1: most freezes complete within a few
    // milliseconds, so re-read often at first (as a hand-written loop would:
    // from 0.1 ms to 1 ms), then back off for a job that takes long.
    .poll_plan = {microseconds(100), milliseconds(1), milliseconds(50), milliseconds(16)},
    // Each nudge's write walks every task of the job (about 1 ms of CPU for
    // 1,000 spinners), hence the first one only after 8 ms, longer than
    // 1,000 busy tasks take to freeze.
    .nudge_interval = milliseconds(8),
    // Why a count, not a time: a job stuck after one write is unstuck by a
    // re-write or, failing that, by the thaw and re-freeze of the 8th nudge
    // (runc's experience). A time would not do where cgfreeze itself gets
    // few turns on the CPU (an emulated or real-time kernel): fifty
    // milliseconds of re-writes can pass before the job's tasks ran at all.
    // About 1.3 s for a job that stays stuck, nothing for one that freezes
    // at once.
    .settle_nudges = 8,
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
    .state_notify_file = "cgroup.events",
    .request_notify_file = "cgroup.freeze",
    .lists_hidden_processes = true,
    .systemd_may_own = true,
    .move_access = "write access to cgroup.procs of the job and of the common ancestor of its cgroup and the job",
    .move_needs_common_ancestor = true,
    // SIGKILL ends a frozen task at once.
    .frozen_die_of_sigkill = true,
    // A notification comes at once unless another one went out less than
    // CGROUP_FILE_NOTIFY_MIN_INTV before (one jiffy at HZ=100, up to 12 ms at
    // HZ=250): then it is held back until that interval is over, and a job
    // of busy forkers can flip frozen 1 -> 0 -> 1 within it. So for 12 ms
    // after the start and after each notification, re-read every
    // millisecond; after that a notification is due at once, and re-reads
    // are only a safety net.
    .poll_plan = {milliseconds(1), milliseconds(1), milliseconds(12), milliseconds(8)},
    // The kernel finishes a v2 freeze by itself: never nudged.
    .nudge_interval = Clock::duration::zero(),
    .settle_nudges = 0,
};

}  // namespace

const HierarchyTraits& hierarchy_traits(HierarchyKind kind) {
  return kind == HierarchyKind::v1 ? k_v1_traits : k_v2_traits;
}

}  // namespace cgjob
