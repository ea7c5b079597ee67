#pragma once
// Where the tools act: which cgroup hierarchy (v1 freezer or v2), its mount,
// and the job root below which named jobs live. Found from
// /proc/self/mountinfo, never from a hard-coded path.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/error.h"
#include "lib/io/sys_io.h"
#include "lib/parse/mountinfo.h"

namespace cgjob {

enum class HierarchyChoice { automatic, v1, v2 };

/// "v1" or "v2".
std::string_view to_string(HierarchyKind kind);
/// Parses "auto", "v1", "v2"; anything else is bad_input.
Result<HierarchyChoice> parse_hierarchy_choice(std::string_view text);

/// The resolved place of work.
struct Layout {
  HierarchyKind kind;
  std::string mount;  ///< mountpoint of the hierarchy
  std::string root;   ///< job root: absolute filesystem path, may not exist yet
  bool systemd = false;  ///< systemd owns this hierarchy (systemd_owns())
  std::string unit = {};  ///< the unit holding the default root ("cgjobs.service"), else empty
};

/// What the user asked for on the command line or in the environment.
struct LayoutRequest {
  HierarchyChoice choice = HierarchyChoice::automatic;
  std::optional<std::string> root;  ///< --root / CGJOB_ROOT
};

/// Picks the hierarchy and job root. `auto` prefers a cgroup2 mount whose
/// kernel has the v2 freezer (5.2+), else the v1 freezer mount. A root must lie
/// on cgroupfs (statfs) inside one of `mounts`; its filesystem decides the
/// hierarchy, and contradicting --hierarchy is bad_input, as is a root at
/// the mount root itself. Without a root the
/// default is `<mount>/cgjobs` for root (euid 0) and delegated_job_root()
/// for anyone else; root's is `<mount>/system.slice/cgjobs.service/jobs`
/// instead where systemd owns the chosen mount (lib/cgroup/systemd_unit.h).
Result<Layout> resolve_layout(SysIo& io, const std::vector<CgroupMount>& mounts,
                              const LayoutRequest& request);

/// The default job root of an unprivileged caller in `mount`: `<D>/cgjobs`,
/// where D is the nearest ancestor-or-self of the caller's own cgroup
/// (/proc/self/cgroup) whose directory and cgroup.procs the caller may write
/// (SysIo::may_write), i.e. the delegated subtree it runs in. A caller that
/// already runs inside `<A>/cgjobs/...` with A writable (a command started by
/// `cgfreeze run`) gets that `<A>/cgjobs` (the outermost one), so that a job
/// sees the same root as the session that made it. Fails with EACCES, and a
/// one-line explanation naming the caller's cgroup and how to get a
/// delegated one, when no such cgroup exists; with the read error when the
/// caller's cgroup cannot be found in `mount`.
Result<std::string> delegated_job_root(SysIo& io, const CgroupMount& mount);

/// Reads /proc/self/mountinfo through `io` and resolves the layout.
Result<Layout> discover_layout(SysIo& io, const LayoutRequest& request);

/// True when `release` ("6.18.44-fc") is at least major.minor.
bool kernel_at_least(std::string_view release, int major, int minor);

}  // namespace cgjob
