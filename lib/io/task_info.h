#pragma once
// What /proc says about a task: enough to show what keeps a job FREEZING.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/base/error.h"
#include "lib/io/sys_io.h"
#include "lib/parse/proc_stat.h"
#include "lib/parse/proc_status.h"

namespace cgjob {

/// Reads /proc/PID/stat and /proc/PID/wchan. ENOENT/ESRCH: the task is gone.
Result<TaskInfo> read_task_info(SysIo& io, pid_t pid);
/// Adds /proc/PID/wchan to an `info` read by read_task_stat (left empty if
/// unreadable).
void read_task_wchan(SysIo& io, TaskInfo& info);
/// Reads /proc/PID/stat only (wchan left empty): half the cost, for checks
/// over many PIDs.
Result<TaskInfo> read_task_stat(SysIo& io, pid_t pid);

/// Whether `pid` blocks `sig` (SigBlk of /proc/PID/status: its main
/// thread's mask). ENOENT/ESRCH: the task is gone.
Result<bool> blocks_signal(SysIo& io, pid_t pid, int sig);

/// Whether the task is stopped, by a signal or by a tracer: T or t in
/// /proc/PID/stat, or whatever its letter, asleep where a stop sleeps
/// (do_signal_stop, ptrace_stop): the v1 freezer of Linux 6.1 shows every
/// task it froze as D, a stopped one too. `info` from read_task_info (with
/// its wchan); without one only the letter tells.
bool is_stopped(const TaskInfo& info);

/// True for kernel threads (PF_KTHREAD), which the tools never move or signal.
bool is_kernel_thread(const TaskInfo& info);

}  // namespace cgjob

namespace cgjob {

/// /proc/sys/kernel/pid_max, or the kernel's ceiling (4194304) if unreadable.
pid_t read_pid_max(SysIo& io);

}  // namespace cgjob
