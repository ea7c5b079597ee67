#pragma once
// Signalling every process of a job, race-free against forks, and waiting
// until the job is empty.

#include <signal.h>

#include <cstddef>
#include <string>
#include <span>
#include <vector>

#include "lib/cgroup/caller.h"
#include "lib/cgroup/cgroup.h"
#include "lib/freezer/freezer.h"

namespace cgjob {

struct SignalReport {
  std::size_t signalled = 0;       ///< processes that were sent the signal
  bool used_cgroup_kill = false;   ///< SIGKILL went through cgroup.kill
  bool used_cgroup_signal = false; ///< one write to cgroup.signal (the project's kernel patch)
  bool best_effort = false;        ///< not frozen (the caller is inside): a fork racing the signal may escape it
  /// The caller's own cgroup could not be read, so the job's process lists
  /// decided whether it runs inside (best_effort where they could not).
  bool caller_unknown = false;
  /// The job was not FROZEN by the last re-read of its processes (a task that
  /// cannot freeze, or no time left): a fork racing the signal may have
  /// escaped it.
  bool freeze_incomplete = false;
  std::vector<UniqueFd> pidfds;    ///< of the signalled processes, for waiting on their exit
  /// Without pidfds (before 5.3): PIDs signalled by kill(2) whose task was
  /// gone right after it, so the PID may have named another task by then
  /// (lib/signal/pinned_task.h). Empty wherever pidfds exist.
  std::vector<pid_t> unconfirmed;
  bool pinned_by_proc = false;     ///< no pidfds (before 5.3): pinned by /proc/PID, sent by kill(2)
  /// Processes that still blocked the signal when signal_job gave up
  /// watching them: it is pending for them, but a child one forks before
  /// unblocking it does not get it (fork(2) does not pass pending signals on).
  std::vector<pid_t> still_blocking;
};

/// Whether signal_job counts the processes before a one-write delivery
/// (cgroup.signal, cgroup.kill) to fill SignalReport::signalled. Counting
/// reads every cgroup.procs of the subtree first, and that read chases the
/// forks: on 5,000 forking processes `cat cgroup.procs` took 8-12 s (patched
/// guest, TCG), all of which the signal would wait for. Without it
/// `signalled` stays 0 there.
enum class CountFirst { no, yes };

/// How long signal_job waits for a freeze before signalling anyway.
inline constexpr Clock::duration k_default_freeze_wait = std::chrono::seconds(2);

/// Sends `sig` once to every process of `job` and of its sub-jobs, including
/// any forked meanwhile. Where the kernel has cgroup.signal (the project's
/// patch, v2), that is one write and nothing is frozen; SIGKILL on v2 uses
/// cgroup.kill (5.14+) otherwise. A PID is signalled through a pidfd only once a later
/// read of cgroup.procs confirms it still names a process of the job.
/// Where `caller` is inside the job, nothing is frozen and cgroup.kill is not
/// used: every other process is signalled as it is (best_effort), until no
/// new one appears or `deadline`. Otherwise the freeze state is changed under
/// the job's lock (lib/freezer/job_lock.h) and SIGINT, SIGTERM, SIGHUP and SIGQUIT
/// are held back until it is put back. SIGKILL on v2 uses cgroup.kill (5.14+); where it is
/// missing or refused (EOPNOTSUPP in threaded cgroups), and for every other
/// signal: freeze the job, re-read cgroup.procs of the whole subtree until no
/// new pid appears, signal each through a pidfd (ESRCH is fine), and put the
/// freeze state back on every path; the first error wins. On v1 a frozen task
/// does not die before it is thawed: SIGKILL thaws the job and its self-frozen
/// sub-jobs and, where any of them was frozen, waits (until `deadline`, at most
/// 5 s) for the killed to exit before freezing those again. A v1 job frozen
/// from above the job (parent_freezing) cannot be thawed here: its tasks die
/// when that ancestor thaws. Other signals to frozen tasks stay pending.
/// `freeze_wait` bounds how long to wait for the freeze before signalling
/// anyway (a task stuck in FUSE never freezes; the re-read loop still converges).
/// When the job was not FROZEN while signalled, it waits for FROZEN again (up
/// to 3 more times `freeze_wait`) and re-reads: a child whose fork(2) was under
/// way when its parent got the signal joins cgroup.procs only afterwards. At
/// least one such re-read is made even once `deadline` has passed; a job still
/// not FROZEN then is reported (freeze_incomplete).
Result<SignalReport> signal_job(Freezer& freezer, const Cgroup& job, int sig, Deadline deadline,
                                const Caller& caller, Clock::duration freeze_wait = k_default_freeze_wait,
                                CountFirst count_first = CountFirst::yes);

/// Number of processes in `job` and its sub-jobs, not counting `skip`.
Result<std::size_t> count_processes(const Cgroup& job, pid_t skip = 0);

/// Waits until `job` and its sub-jobs hold no process, or `deadline`. Wakes on
/// the exit of `pidfds`, on cgroup.events (v2), and on a short growing pause
/// (notifications are rate-limited), and recounts now and then in case a
/// signalled process left the job. Returns how many processes are left; a job
/// removed meanwhile counts as empty. A `caller` inside the job waits for
/// the others only.
Result<std::size_t> wait_empty(Freezer& freezer, const Cgroup& job, std::span<const UniqueFd> pidfds,
                               Deadline deadline, const Caller& caller);

/// Raises the soft RLIMIT_NOFILE to the hard limit: a pidfd per process of a
/// large job does not fit in the default 1024.
void raise_fd_limit();

}  // namespace cgjob
