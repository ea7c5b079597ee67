#include "lib/io/task_info.h"

#include <fcntl.h>

#include <cstdlib>

#include "lib/base/uapi.h"

namespace cgjob {

Result<TaskInfo> parse_proc_stat(std::string_view text, pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  auto open = text.find('(');
  auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
      close + 2 >= text.size()) {
    return text_error("unexpected format", path, EINVAL);
  }
  TaskInfo info;
  info.pid = pid;
  info.comm = std::string(text.substr(open + 1, close - open - 1));
  // After ") ": state ppid pgrp session tty_nr tpgid flags ...
  std::string rest(text.substr(close + 2));
  info.state = rest.empty() ? '?' : rest[0];
  const char* p = rest.c_str() + 1;
  char* end = nullptr;
  info.ppid = static_cast<pid_t>(std::strtol(p, &end, 10));
  for (int field = 0; field < 4; ++field) {  // pgrp session tty_nr tpgid
    p = end;
    std::strtol(p, &end, 10);
  }
  info.flags = std::strtoul(end, &end, 10);
  // minflt cminflt majflt cmajflt utime stime cutime cstime priority nice
  // num_threads itrealvalue, then starttime.
  for (int field = 0; field < 12; ++field) {
    p = end;
    std::strtoll(p, &end, 10);
  }
  info.start_time = std::strtoull(end, &end, 10);
  return info;
}

Result<TaskInfo> read_task_stat(SysIo& io, pid_t pid) {
  std::string base = "/proc/" + std::to_string(pid);
  auto stat = io.read_file(DirRef{AT_FDCWD, base}, base + "/stat");
  if (!stat) return stat.error();
  return parse_proc_stat(*stat, pid);
}

Result<TaskInfo> read_task_info(SysIo& io, pid_t pid) {
  auto info = read_task_stat(io, pid);
  if (!info) return info;
  std::string base = "/proc/" + std::to_string(pid);
  auto wchan = io.read_file(DirRef{AT_FDCWD, base}, base + "/wchan");
  if (wchan && *wchan != "0") info->wchan = *wchan;
  return info;
}

Result<std::uint64_t> parse_status_mask(std::string_view status, std::string_view key) {
  for (std::size_t at = 0; at < status.size();) {
    auto end = status.find('\n', at);
    if (end == std::string_view::npos) end = status.size();
    auto line = status.substr(at, end - at);
    at = end + 1;
    if (line.substr(0, key.size()) != key) continue;
    auto hex = line.substr(key.size());
    while (!hex.empty() && (hex.front() == ' ' || hex.front() == '\t')) hex.remove_prefix(1);
    if (hex.empty() || hex.size() > 16) break;
    std::uint64_t mask = 0;
    for (char c : hex) {
      int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) return text_error("unexpected " + std::string(key) + " value", "/proc/PID/status", EINVAL);
      mask = mask << 4 | static_cast<std::uint64_t>(digit);
    }
    return mask;
  }
  return text_error("no " + std::string(key) + " line", "/proc/PID/status", EINVAL);
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
