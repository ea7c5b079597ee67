#pragma once
// What the running kernel offers, probed once per run and never read off
// uname(2): vendor kernels backport features around their version numbers.
// Each probe runs the first time an operation asks for it (a run pays only
// for what it uses) and goes through SysIo, so unit tests can play an old
// kernel. The answers live in the SysIo (SysIo::capabilities()): one table
// per run, one per fake.

#include <optional>

namespace cgjob {

class SysIo;

/// The table; std::nullopt: not probed yet. Read it through the functions
/// below, which probe on first use.
struct Capabilities {
  std::optional<bool> pidfd_open;         ///< pidfd_open(2), 5.3+
  std::optional<bool> pidfd_send_signal;  ///< pidfd_send_signal(2), 5.1+
  std::optional<bool> clone3;             ///< clone3(2), 5.3+
  std::optional<bool> clone_into_cgroup;  ///< clone3's CLONE_INTO_CGROUP, 5.7+
  std::optional<bool> v2_freezer;         ///< cgroup.freeze, 5.2+ (lib/cgroup/hierarchy.cpp probes it)
  std::optional<bool> frozen_subtree;     ///< v2 "frozen 1" covers the subtree (the project's kernel patch)
  /// Not a probe: set by the caller (cgkill's CGJOB_NO_CGROUP_SIGNAL) so that
  /// tests and benchmarks on a patched kernel can take the freeze path too.
  bool cgroup_signal_ignored = false;
};

/// pidfd_open(2) of our own PID: anything but ENOSYS says it exists.
bool has_pidfd_open(SysIo& io);
/// pidfd_send_signal(2) on fd -1: EBADF where it exists, ENOSYS where not.
bool has_pidfd_send_signal(SysIo& io);
/// Both: a PID can be pinned and signalled through a pidfd.
bool has_pidfds(SysIo& io);
/// clone3(2), probed without creating a process (see SysIo::probe_clone3).
bool has_clone3(SysIo& io);
/// clone3 with CLONE_INTO_CGROUP (needs a cgroup2 directory fd).
bool has_clone_into_cgroup(SysIo& io);
/// /sys/kernel/cgroup/features lists "frozen_subtree": cgroup.events says
/// "frozen 1" only once the cgroup's descendants are frozen too (the
/// project's kernel patch). Stock kernels say it once the cgroup's own tasks
/// are, so a wait there also reads every descendant's cgroup.events.
bool has_frozen_subtree(SysIo& io);
/// cgroup.kill and cgroup.signal are asked of a job's cgroup:
/// has_cgroup_kill, has_cgroup_signal (lib/cgroup/cgroup.h).
/// The v2 freezer (cgroup.freeze, 5.2+) is probed by its file in a cgroup
/// of the mount: see resolve_layout (lib/cgroup/hierarchy.cpp).

}  // namespace cgjob
