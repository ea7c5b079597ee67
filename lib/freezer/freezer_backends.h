#pragma once
// The two backends; make_freezer() picks one. Their hierarchies' tables
// are in lib/cgroup/hierarchy_traits.cpp.

#include <memory>

#include "lib/freezer/freezer.h"

namespace cgjob {

std::unique_ptr<Freezer> make_v1_freezer(SysIo& io);
std::unique_ptr<Freezer> make_v2_freezer(SysIo& io);

}  // namespace cgjob
