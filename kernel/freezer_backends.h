#pragma once
// The two backends; make_freezer() picks one.

#include <memory>

#include "kernel/freezer.h"

namespace cgjob {

std::unique_ptr<Freezer> make_v1_freezer(SysIo& io);
std::unique_ptr<Freezer> make_v2_freezer(SysIo& io);

}  // namespace cgjob
