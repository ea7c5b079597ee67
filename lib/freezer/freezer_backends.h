#pragma once
// The two backends and their hierarchies' tables; hierarchy_traits() picks one.

#include <memory>

#include "lib/freezer/freezer.h"
#include "lib/io/task_info.h"

namespace cgjob {

/// A task asleep in the freezer: do_freezer_trap (v2), the refrigerator
/// (v1; v2 too since 6.1's freezer rework).
inline bool sleeps_in_freezer(const TaskInfo& task) {
  return task.wchan == "do_freezer_trap" || task.wchan == "__refrigerator" || task.wchan == "refrigerator";
}

extern const HierarchyTraits k_v1_traits;
extern const HierarchyTraits k_v2_traits;

}  // namespace cgjob
