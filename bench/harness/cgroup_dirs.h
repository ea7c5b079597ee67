#pragma once
// The cgroups this run made: made and removed through here, so that an
// error or an interruption removes every one of them.

#include <string>
#include <vector>

namespace cgbench {

/// Directories this run created, removed deepest first at the end.
extern std::vector<std::string> g_created_dirs;

/// `dir`/cgroup.procs, open for writing (moving a process there); fails on any error.
int open_procs(const std::string& dir);

/// mkdir, remembered in g_created_dirs; fails on any error.
void make_cgroup(const std::string& dir);

/// rmdir with retries: the kernel answers EBUSY for a few ms after the last
/// task of a cgroup exited.
bool remove_cgroup(const std::string& dir, double timeout_ms = 3000);

}  // namespace cgbench
