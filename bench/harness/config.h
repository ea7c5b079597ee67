#pragma once
// The harness's command line: what to run, how often, and where.

#include <cstdio>
#include <string>
#include <vector>

#include "bench/harness/worker_loop.h"

namespace cgbench {

struct Config {
  int hier = 2;
  std::string build_dir = "/work/main/build";
  std::string floor_dir;  // default: the directory of this executable
  std::string peers_dir;  // default: <floor_dir>/../peers? set by bench/run
  std::string out_dir = "results";
  std::string date;
  std::string suffix;  // e.g. "-quick"
  std::string commit;  // of the tools' sources, given by bench/run
  std::vector<int> ns{1, 100, 1000, 5000};
  std::vector<int> ms{1, 100, 1000, 10000};  // --quick: 1,100,1000
  std::vector<Load> loads{Load::sleep, Load::spin, Load::churn};
  std::vector<std::string> ops{"freeze", "thaw", "kill9", "term", "status", "startup", "run", "add"};
  int reps = 7;
  int reps_large = 3;  // for N >= 5000
  int large_n = 5000;
  // At N >= large_n, the kill ops need N fresh workers for every single
  // measurement: by default only with sleepers, to keep the run near 10 min.
  std::vector<Load> large_kill_loads{Load::sleep};
  double settle_ms = 15;
  double timeout_s = 10;
  bool quick = false;
  std::string v2_kill_wait = "events";  // how floor-v2-kill waits: events|pidfd
  Busy busy = Busy::idle_group;  // --busy-workers
};

void usage(FILE* f);

/// What the command line asks for.
enum class Action { bench, clean_stale, help };

/// Reads the command line into `cfg` (defaults: the floor programs next to
/// this executable, today's date); fails (throws) on a bad one. --clean-stale
/// and --help end the reading where they stand.
Action parse_command_line(int argc, char** argv, Config& cfg);

bool executable(const std::string& p);

bool contains(const std::vector<std::string>& v, const std::string& s);

}  // namespace cgbench
