#include "bench/harness/cgroup_dirs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "bench/harness/clock.h"
#include "bench/harness/fail.h"

namespace cgbench {

std::vector<std::string> g_created_dirs;

int open_procs(const std::string& dir) {
  int fd = open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail_sys(errno, "open", dir + "/cgroup.procs");
  return fd;
}

void make_cgroup(const std::string& dir) {
  if (mkdir(dir.c_str(), 0755) < 0) fail_sys(errno, "mkdir", dir);
  g_created_dirs.push_back(dir);
}

bool remove_cgroup(const std::string& dir, double timeout_ms) {
  double deadline = mono_ms() + timeout_ms;
  for (;;) {
    if (rmdir(dir.c_str()) == 0 || errno == ENOENT) {
      // From the back: dirs go deepest (latest) first; 10,000 jobs stay linear.
      auto it = std::find(g_created_dirs.rbegin(), g_created_dirs.rend(), dir);
      if (it != g_created_dirs.rend()) g_created_dirs.erase(std::next(it).base());
      return true;
    }
    if (errno != EBUSY || mono_ms() > deadline) {
      std::fprintf(stderr, "cgbench: %s\n", cgjob::sys_error(errno, "rmdir", dir).message().c_str());
      return false;
    }
    sleep_ms(2);
  }
}

}  // namespace cgbench
