#pragma once
// Starting a command inside a cgroup before it executes a single instruction.

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "kernel/cgroup.h"
#include "kernel/freezer.h"
#include "kernel/hierarchy.h"

namespace cgjob {

struct SpawnedProcess {
  pid_t pid = 0;
  UniqueFd pidfd;
};

/// How the child is started.
enum class SpawnMode {
  attached,  ///< shares our session, process group and stdio
  detached,  ///< own session (setsid), stdin/stdout/stderr on /dev/null, so it
             ///< never holds the caller's pipes open: `pid=$(cgfreeze run --detach ...)`
};

struct SpawnOptions {
  SpawnMode mode = SpawnMode::attached;
  /// A signalfd (or -1): a signal arriving before the command started ends
  /// the wait; the child is killed and the signal is left unread for the
  /// caller (the error has errnum EINTR).
  int interrupt_fd = -1;
  /// The signal mask the child sets before exec: the caller's own, from
  /// before it blocked the signals it forwards. nullptr: the child keeps the
  /// mask it inherits.
  const sigset_t* child_mask = nullptr;
  /// v1: where a child that must die before it started is moved, because a
  /// frozen v1 task dies only once thawed: the cgroup it was born in (ours).
  const Cgroup* home = nullptr;
};

/// Starts argv[0] (searched in PATH) as a child inside `cg`. v2: clone3 with
/// CLONE_INTO_CGROUP (5.7+), so the child is born in the cgroup. v1, or where
/// the kernel lacks it: the child joins the cgroup (writes to cgroup.procs)
/// before exec; also on v2 when the CLONE_INTO_CGROUP child is killed before it
/// starts (a kernel bug after cgroup.kill, see spawn.cpp). Nothing of the
/// caller's world is changed for the child but the mask (see SpawnOptions):
/// rlimits, ignored signals and the environment pass through exec as they are.
///
/// The wait until the child has exec'd never blocks for good: it polls the
/// start pipe, the child's pidfd and `interrupt_fd`, and when the child is
/// slow to start it looks at `cg`'s freezer. A job that is (being) frozen
/// would hold the child before it ran COMMAND, so the child is killed, reaped
/// and an error (errnum EBUSY, "job is frozen") returned. If exec fails, the
/// error (op "exec", errno) comes back here and the child is reaped.
Result<SpawnedProcess> spawn_in_cgroup(const Cgroup& cg, Freezer& freezer, const std::vector<std::string>& argv,
                                       const SpawnOptions& options);

/// The same with a freezer made for `kind` and no signals or home cgroup.
Result<SpawnedProcess> spawn_in_cgroup(const Cgroup& cg, HierarchyKind kind,
                                       const std::vector<std::string>& argv,
                                       SpawnMode mode = SpawnMode::attached);

/// Reaps `child` (waitid on its pidfd) and returns its wait status in the
/// shell's convention: the exit code, or 128+N when killed by signal N.
Result<int> wait_exit_code(const SpawnedProcess& child);

}  // namespace cgjob
