#pragma once
// Workers are not the harness's children. Each spawn_workers() call forks a
// "nursery": it moves itself into each target cgroup in turn, forks the
// workers there (a fork inherits the cgroup: no per-worker migration, which
// costs an RCU grace period each), moves itself back to the bench's own
// <base>/nursery cgroup, reports the PIDs, and then blocks in read() — never
// in wait() — so thousands of exits wake nobody. It reaps its workers only
// when the harness closes its control pipe. Until then the PIDs are pinned
// (unreaped), so the harness's pidfd_open on them is race-free, and from
// then on it signals them only through those pidfds.

#include <sys/types.h>

#include <vector>

#include "bench/harness/worker_loop.h"

namespace cgbench {

extern Busy g_busy;
extern int g_home_procs_fd;  // <base>/nursery/cgroup.procs
extern int g_cpu_procs_fd;   // <v1 cpu mount>/cgjobs-bench-<pid>/cgroup.procs (cpu.idle=1), or -1

/// The nursery process: forks n_per_fd workers of `load` into each cgroup
/// whose cgroup.procs is open at procs_fds, reports their PIDs on rep_wr,
/// then waits for EOF on ctl_rd, kills and reaps them, and exits.
[[noreturn]] void nursery_main(pid_t harness, int ctl_rd, int rep_wr, const std::vector<int>& procs_fds,
                               Load load, int n_per_fd);

}  // namespace cgbench
