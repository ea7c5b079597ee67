#pragma once
// Starting a command inside a cgroup before it executes a single instruction.

#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "lib/cgroup/cgroup.h"
#include "lib/freezer/freezer.h"
#include "lib/cgroup/hierarchy.h"

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

/// How a child gets into its cgroup.
enum class StartMethod {
  automatic,          ///< see SpawnOptions::start
  clone_into_cgroup,  ///< clone3 with CLONE_INTO_CGROUP (v2, 5.7+), wherever the kernel has it
  join,               ///< the child writes itself to cgroup.procs before exec
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
  /// v2: an existing cgroup directory below which a scratch cgroup may be
  /// made (and removed) once per run, to find out whether this kernel kills
  /// CLONE_INTO_CGROUP children of killed cgroups (clone_into_trusted).
  /// Empty: where the kernel version says it may, the child joins instead.
  std::string scratch_parent;
  /// How the child gets into the cgroup; automatic: clone3 with
  /// CLONE_INTO_CGROUP where the kernel has it and clone_into_trusted()
  /// says yes, else joining before exec.
  StartMethod start = StartMethod::automatic;
};

/// Starts argv[0] (searched in PATH) as a child inside `cg`. v2: clone3 with
/// CLONE_INTO_CGROUP (5.7+), so the child is born in the cgroup. v1, or where
/// the kernel lacks it or kills such children of a killed cgroup (6.13+, see
/// clone_into_trusted): the child joins the cgroup (writes to cgroup.procs)
/// before exec. A child killed before it started is never started again: a
/// cgroup.kill racing the start ends it as it would a started one. Nothing of the
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

/// Starts a child into `scratch` that exits at once, and says whether it was
/// killed before it ran (by SIGKILL from the kernel) rather than exiting.
using CloneIntoProbe = std::function<Result<bool>(const Cgroup& scratch)>;

/// The probe of clone_into_trusted() with clone3(CLONE_INTO_CGROUP).
Result<bool> probe_clone_into(const Cgroup& scratch);

/// Whether a CLONE_INTO_CGROUP child of a cgroup killed through cgroup.kill
/// lives. Linux 6.13 and later compare the child's cgroup.kill sequence
/// number with that of the parent's cgroup instead of the target's, and kill
/// the child before its first instruction when they differ; a retry after
/// that cannot tell it from a real cgroup.kill racing the start. So it is
/// found out beforehand, in a scratch cgroup `.cgjob-probe-PID` made below
/// `scratch_parent` (never a job name: it starts with a dot) and removed
/// after: killed once through cgroup.kill and `probe`d, twice and probed
/// again (our own cgroup's number cannot equal both). True where nothing was
/// killed, or the kernel is older than 6.13 or has no cgroup.kill (then
/// nothing is probed); false where a probe was killed, or the scratch cgroup
/// could not be made (joining is right on every kernel).
bool clone_into_trusted(SysIo& io, const std::string& scratch_parent, const CloneIntoProbe& probe);

/// The same with a freezer made for `kind` and no signals or home cgroup.
Result<SpawnedProcess> spawn_in_cgroup(const Cgroup& cg, HierarchyKind kind,
                                       const std::vector<std::string>& argv,
                                       SpawnMode mode = SpawnMode::attached);

/// Reaps `child` (waitid on its pidfd) and returns its wait status in the
/// shell's convention: the exit code, or 128+N when killed by signal N.
Result<int> wait_exit_code(const SpawnedProcess& child);

}  // namespace cgjob
