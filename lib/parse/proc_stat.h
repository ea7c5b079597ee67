#pragma once
// /proc/PID/stat: what a task is, enough to show what keeps a job FREEZING.
// Read through lib/io/task_info.h.

#include <sys/types.h>

#include <string>
#include <string_view>

#include "lib/base/error.h"

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

/// Parses a /proc/PID/stat line (comm may hold spaces and parentheses).
Result<TaskInfo> parse_proc_stat(std::string_view text, pid_t pid);

}  // namespace cgjob
