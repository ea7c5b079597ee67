#include "lib/process/exec_program.h"

#include <unistd.h>

#include <cerrno>
#include <climits>

namespace cgjob {

// Not through SysIo: there is no kernel state here for a fake to play, and
// no test could go on once the process image is replaced.
Result<std::string> running_program() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf);
  if (n < 0) return sys_error(errno, "readlink", "/proc/self/exe");
  if (static_cast<std::size_t>(n) == sizeof buf) return sys_error(ENAMETOOLONG, "readlink", "/proc/self/exe");
  return std::string(buf, static_cast<std::size_t>(n));
}

Error exec_program(const std::string& path, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 2);
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(path.c_str(), argv.data());
  return sys_error(errno, "execute", path);
}

}  // namespace cgjob
