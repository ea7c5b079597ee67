#pragma once
// Where the hierarchies are mounted: the one under test, and the v1 cpu
// hierarchy that keeps busy workers idle.

#include <string>

namespace cgbench {

/// The mount point of the cgroup2 hierarchy (hier 2), of the v1 hierarchy
/// that carries the freezer controller (hier 1) or of the v1 hierarchy with
/// the cpu controller (k_cpu_hier), from /proc/self/mountinfo; "" when there
/// is none. Only mounts of the hierarchy's root are taken.
constexpr int k_cpu_hier = 3;

std::string find_mount(int hier);

}  // namespace cgbench
