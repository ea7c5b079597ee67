#pragma once
// The two backends and their hierarchies' tables; hierarchy_traits() picks one.

#include <memory>

#include "kernel/freezer.h"

namespace cgjob {

extern const HierarchyTraits k_v1_traits;
extern const HierarchyTraits k_v2_traits;

}  // namespace cgjob
