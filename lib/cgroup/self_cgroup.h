#pragma once
// Which cgroup a process is in, per hierarchy (/proc/PID/cgroup).

#include <sys/types.h>

#include <string>
#include <string_view>

#include "lib/base/error.h"
#include "lib/cgroup/hierarchy.h"
#include "lib/io/sys_io.h"

namespace cgjob {

/// The cgroup path (as in /proc/PID/cgroup, relative to the hierarchy root)
/// of the v2 line ("0::/x") or of the v1 line that lists the freezer.
std::string cgroup_line_path(std::string_view proc_cgroup, HierarchyKind kind);

/// The filesystem directory of `pid`'s cgroup in `mount` (0 = this process).
Result<std::string> process_cgroup_dir(SysIo& io, const CgroupMount& mount, pid_t pid);

/// True when `dir` is `ancestor` or lies below it.
bool path_within(std::string_view dir, std::string_view ancestor);

/// The deepest directory that both absolute paths `a` and `b` lie within
/// ("/" when they share nothing else). Moving a process between two cgroups
/// on v2 needs write access to this cgroup's cgroup.procs.
std::string common_ancestor(std::string_view a, std::string_view b);

}  // namespace cgjob
