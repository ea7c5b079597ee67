#pragma once
// Etiquette on a host where systemd owns the cgroup tree (cgfreeze(1),
// SYSTEMD): root's jobs live in a unit that systemd
// delegates to us, cgjobs.service, never beside init.scope and system.slice;
// and processes of other units are not moved out of them by accident.

#include <functional>
#include <string>
#include <string_view>

#include "lib/base/error.h"
#include "lib/cgroup/hierarchy.h"
#include "lib/io/sys_io.h"

namespace cgjob {

/// The unit the package ships (packaging/cgjobs.service): Delegate=yes,
/// IgnoreOnIsolate=yes, a main process that only sleeps.
inline constexpr std::string_view k_jobs_unit = "cgjobs.service";

/// True when systemd manages `mount` as PID 1: /run/systemd/system exists
/// (sd_booted(3)'s test), `mount` is cgroup2 showing its hierarchy's root,
/// and init.scope lies there (systemd's own cgroup; in a container with a
/// cgroup namespace too). A v1 freezer mount is never systemd's.
bool systemd_owns(SysIo& io, const CgroupMount& mount);

/// The cgroup directory of cgjobs.service: <mount>/system.slice/cgjobs.service.
std::string jobs_unit_dir(std::string_view mountpoint);
/// Root's default job root under systemd: <unit directory>/jobs.
std::string jobs_unit_root(std::string_view mountpoint);

/// The systemd unit that a cgroup belongs to: the innermost component of
/// `path` (a cgroup path from the hierarchy root, "/system.slice/x.service/y")
/// that names a service or scope; empty when there is none.
std::string unit_of_cgroup(std::string_view path);

/// Starts cgjobs.service and waits until it runs: `systemctl start
/// cgjobs.service`; when no unit file is installed (tools run from a build
/// tree), the same unit as a transient one, `systemd-run --unit=cgjobs.service
/// -p Delegate=yes -p IgnoreOnIsolate=yes sleep infinity`. Their own output
/// is discarded; a failure says how to install or start the unit.
Status start_jobs_unit();

/// What JobRoot calls to start the unit; tests replace it.
using UnitStarter = std::function<Status()>;

}  // namespace cgjob
