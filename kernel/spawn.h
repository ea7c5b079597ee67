#pragma once
// Starting a command inside a cgroup before it executes a single instruction.

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "kernel/cgroup.h"
#include "kernel/hierarchy.h"

namespace cgjob {

struct SpawnedProcess {
  pid_t pid = 0;
  UniqueFd pidfd;
};

/// How the child is started.
enum class SpawnMode {
  attached,  ///< shares our session and stdio
  detached,  ///< own session (setsid), stdin/stdout/stderr on /dev/null, so it
             ///< never holds the caller's pipes open: `pid=$(cgfreeze run --detach ...)`
};

/// Starts argv[0] (searched in PATH) as a child inside `cg`. v2: clone3 with
/// CLONE_INTO_CGROUP (5.7+), so the child is born in the cgroup. v1, or where
/// the kernel lacks it: the child joins the cgroup (writes to cgroup.procs)
/// before exec; also on v2 when the CLONE_INTO_CGROUP child is killed before it
/// starts (a kernel bug after cgroup.kill, see spawn.cpp). The child's signal
/// mask is cleared. If exec fails, the error (op "exec", errno) comes back here
/// and the child is reaped.
Result<SpawnedProcess> spawn_in_cgroup(const Cgroup& cg, HierarchyKind kind,
                                       const std::vector<std::string>& argv,
                                       SpawnMode mode = SpawnMode::attached);

/// Reaps `child` (waitid on its pidfd) and returns its wait status in the
/// shell's convention: the exit code, or 128+N when killed by signal N.
Result<int> wait_exit_code(const SpawnedProcess& child);

}  // namespace cgjob
