#include "lib/io/task_info.h"

#include <fcntl.h>

#include <cstdlib>

#include "lib/base/uapi.h"

namespace cgjob {

Result<TaskInfo> read_task_stat(SysIo& io, pid_t pid) {
  std::string base = "/proc/" + std::to_string(pid);
  auto stat = io.read_file(DirRef{AT_FDCWD, base}, base + "/stat");
  if (!stat) return stat.error();
  return parse_proc_stat(*stat, pid);
}

void read_task_wchan(SysIo& io, TaskInfo& info) {
  std::string base = "/proc/" + std::to_string(info.pid);
  auto wchan = io.read_file(DirRef{AT_FDCWD, base}, base + "/wchan");
  if (wchan && *wchan != "0") info.wchan = *wchan;
}

Result<TaskInfo> read_task_info(SysIo& io, pid_t pid) {
  auto info = read_task_stat(io, pid);
  if (info) read_task_wchan(io, *info);
  return info;
}

Result<bool> blocks_signal(SysIo& io, pid_t pid, int sig) {
  std::string base = "/proc/" + std::to_string(pid);
  auto status = io.read_file(DirRef{AT_FDCWD, base}, base + "/status");
  if (!status) return status.error();
  // A zombie keeps its last mask, and forks nothing any more.
  if (status->find("\nState:\tZ") != std::string::npos || status->find("\nState:\tX") != std::string::npos) {
    return false;
  }
  auto mask = parse_status_mask(*status, "SigBlk:");
  if (!mask) return mask.error();
  return sig >= 1 && sig <= 64 && (*mask >> (sig - 1) & 1) != 0;
}

bool is_stopped(const TaskInfo& info) {
  return info.state == 'T' || info.state == 't' || info.wchan == "do_signal_stop" || info.wchan == "ptrace_stop";
}

bool is_kernel_thread(const TaskInfo& info) {
  // The flag, never PID numbers: inside a PID namespace, PID 2 and its
  // children are ordinary processes (a container init's first child).
  return (info.flags & uapi::k_pf_kthread) != 0;
}

}  // namespace cgjob

namespace cgjob {

pid_t read_pid_max(SysIo& io) {
  auto text = io.read_file(DirRef{AT_FDCWD, "/"}, "/proc/sys/kernel/pid_max");
  long value = text ? std::strtol(text->c_str(), nullptr, 10) : 0;
  return value > 0 ? static_cast<pid_t>(value) : 4194304;
}

}  // namespace cgjob
