#include "lib/parse/proc_stat.h"

#include <cerrno>
#include <cstdlib>

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

}  // namespace cgjob
