#pragma once
// Timing one command as a whole process.

#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <string>
#include <vector>

#include "bench/harness/fail.h"

namespace cgbench {

struct Sample {
  double wall = NAN, cpu = NAN;        // whole process, ms
  double in_wall = NAN, in_cpu = NAN;  // reported by a floor program, ms
  bool ok = false;
  std::string note;
};

struct Capture {
  int out = -1, err = -1;
  Capture() {
    out = memfd_create("cgbench-out", MFD_CLOEXEC);
    err = memfd_create("cgbench-err", MFD_CLOEXEC);
    if (out < 0 || err < 0) fail_sys(errno, "memfd_create");
  }
  void reset() {
    for (int fd : {out, err}) {
      (void)ftruncate(fd, 0);
      lseek(fd, 0, SEEK_SET);
    }
  }
  static std::string slurp(int fd) {
    std::string s;
    char buf[65536];
    off_t off = 0;
    for (;;) {
      ssize_t n = pread(fd, buf, sizeof buf, off);
      if (n <= 0) break;
      s.append(buf, static_cast<size_t>(n));
      off += n;
    }
    return s;
  }
};

/// Runs argv as a child in its own process group (a racy `kill 0` in a peer
/// script then cannot reach the harness), stdout/stderr into memfds, stdin
/// /dev/null. Wall = monotonic clock around posix_spawn..wait4; CPU = the
/// child's user+sys from wait4. Kills the child after timeout_s.
Sample run_measured(const std::vector<std::string>& argv, Capture& cap, double timeout_s,
                    std::string* out_text = nullptr);

}  // namespace cgbench
