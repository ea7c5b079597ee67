#pragma once
// The harness's side of the workers: starting them through a nursery,
// killing them through their pidfds, reaping what is left.

#include <sys/types.h>

#include <string>
#include <vector>

#include "bench/harness/cgroup_state.h"
#include "bench/harness/worker_loop.h"

namespace cgbench {

/// Every worker's PID, in the order they were started.
std::vector<pid_t> worker_pids();

/// Whether any nursery is still there (its workers may be).
bool nurseries_running();

/// Starts n_per_fd workers of `load` in each cgroup whose cgroup.procs is
/// open (for writing) at procs_fds; returns once all of them run there.
/// Workers exit on SIGTERM (handler) and die with their nursery, which dies
/// with the harness (PR_SET_PDEATHSIG).
void spawn_workers(const std::vector<int>& procs_fds, Load load, int n_per_fd);

/// Reaps processes that were orphaned to the harness (it is a subreaper),
/// e.g. the pkill of a peer script killed at its timeout; never a nursery.
void reap_orphans();

/// SIGKILLs every worker through its pidfd, thaws the given cgroups (a frozen
/// v1 task dies only once thawed), and lets the nurseries reap and exit.
void kill_workers(const Hier& h, const std::vector<std::string>& dirs);

/// After a measured command killed the workers: true, with the nurseries
/// finished, once every worker has exited (within timeout_ms); false (and
/// nothing changed) if one is still alive.
bool reap_dead_workers(double timeout_ms);

}  // namespace cgbench
