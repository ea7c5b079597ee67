// cgbench — the benchmark harness behind bench/run (see bench/README.md).
//
// One run covers one hierarchy (v1 or v2). It creates its own cgroups
// (<mount>/cgjobs-bench-<pid>/...), starts the workers itself (fork, each
// worker moves itself into the job), times every command as a whole process
// (monotonic clock around posix_spawn..wait4, CPU = user+sys from wait4's
// rusage), verifies the kernel state the command promised, and writes
// <out>/<date>-<hier>.md and .csv. Everything it created — cgroups and
// processes — is removed on exit, on an error and on SIGINT/SIGTERM/SIGHUP.
// It only ever signals processes it forked itself, by PID, while they are
// still unreaped (so the PID cannot have been recycled).

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "bench/harness/bench.h"
#include "bench/harness/config.h"
#include "bench/harness/nursery.h"
#include "bench/harness/stale_runs.h"
#include "bench/harness/stop.h"

using namespace cgbench;

namespace {

// One pidfd per worker here and in the kill floors: N = 5,000 processes or
// M = 10,000 jobs need more than the usual 1,024 fds, and may need more
// than the hard limit, which root can raise (up to fs.nr_open).
void raise_fd_limit(const Config& cfg) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    int most = 0;
    for (int n : cfg.ns) most = std::max(most, n);
    for (int m : cfg.ms) most = std::max(most, m);
    rlim_t want = static_cast<rlim_t>(most) + k_spawn_batch + 1024;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) {
      rlimit raised{want, want};
      if (setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
    }
    if (rl.rlim_cur < rl.rlim_max) {
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want)
      std::fprintf(stderr, "cgbench: only %llu fds allowed, %llu wanted: the largest rows may fail\n",
                   static_cast<unsigned long long>(rl.rlim_cur), static_cast<unsigned long long>(want));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg;
  try {
    switch (parse_command_line(argc, argv, cfg)) {
      case Action::clean_stale: return clean_stale() >= 0 ? 0 : 1;
      case Action::help: usage(stdout); return 0;
      case Action::bench: break;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cgbench: %s\n", e.what());
    usage(stderr);
    return 2;
  }
  if (cfg.peers_dir.empty()) cfg.peers_dir = cfg.floor_dir + "/peers";
  if (geteuid() != 0) {
    std::fprintf(stderr, "cgbench: must run as root (it creates cgroups and moves processes)\n");
    return 2;
  }
  unsetenv("CGJOB_ROOT");
  unsetenv("CGJOB_HIERARCHY");
  g_busy = cfg.busy;

  install_stop_handlers();

  // Orphans of a nursery killed while it was still forking come back to us
  // for reaping, not to init.
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  raise_fd_limit(cfg);

  Bench bench(cfg);
  try {
    return bench.run();
  } catch (const Interrupted&) {
    bench.cleanup();
    return 130;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cgbench: %s\n", e.what());
    bench.cleanup();
    return 1;
  }
}
