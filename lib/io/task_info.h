#pragma once
// What /proc says about a task: enough to show what keeps a job FREEZING.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/base/error.h"
#include "lib/io/sys_io.h"

namespace cgjob {

struct TaskInfo {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string comm;   ///< command name (/proc/PID/stat, parentheses removed)
  char state = '?';   ///< R, S, D, T, Z ...
  unsigned long flags = 0;
  std::string wchan;  ///< /proc/PID/wchan; "" when the kernel hides it or the task runs
  unsigned long long start_time = 0;  ///< clock ticks after boot: with the PID, names one process
};

/// Reads /proc/PID/stat and /proc/PID/wchan. ENOENT/ESRCH: the task is gone.
Result<TaskInfo> read_task_info(SysIo& io, pid_t pid);
/// Reads /proc/PID/stat only (wchan left empty): half the cost, for checks
/// over many PIDs.
Result<TaskInfo> read_task_stat(SysIo& io, pid_t pid);

/// Parses a /proc/PID/stat line (comm may hold spaces and parentheses).
Result<TaskInfo> parse_proc_stat(std::string_view text, pid_t pid);

/// Whether `pid` blocks `sig` (SigBlk of /proc/PID/status: its main
/// thread's mask). ENOENT/ESRCH: the task is gone.
Result<bool> blocks_signal(SysIo& io, pid_t pid, int sig);

/// The signal mask after `key` (e.g. "SigBlk:") in a /proc/PID/status text.
Result<std::uint64_t> parse_status_mask(std::string_view status, std::string_view key);

/// True for kernel threads (PF_KTHREAD), which the tools never move or signal.
bool is_kernel_thread(const TaskInfo& info);

}  // namespace cgjob

namespace cgjob {

/// /proc/sys/kernel/pid_max, or the kernel's ceiling (4194304) if unreadable.
pid_t read_pid_max(SysIo& io);

}  // namespace cgjob
