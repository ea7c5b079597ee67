#include "bench/harness/config.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <string_view>

#include "bench/harness/fail.h"
#include "lib/base/text.h"

namespace cgbench {

namespace {

/// The items of a comma-separated option; a trailing comma adds none.
std::vector<std::string> list_items(std::string_view s) {
  if (s.empty()) return {};
  if (s.ends_with(',')) s.remove_suffix(1);
  std::vector<std::string> items;
  for (auto item : cgjob::split(s, ',')) items.emplace_back(item);
  return items;
}

/// A count given to `option`: a whole decimal number, nothing else.
int parse_count(const std::string& option, const std::string& text) {
  auto value = cgjob::parse_decimal(text);
  if (!value || *value > static_cast<unsigned long long>(std::numeric_limits<int>::max()))
    fail(option + ": '" + text + "' is not a whole number");
  return static_cast<int>(*value);
}

std::vector<int> parse_counts(const std::string& option, const std::string& s) {
  std::vector<int> v;
  for (const auto& p : list_items(s)) v.push_back(parse_count(option, p));
  return v;
}

std::vector<Load> parse_loads(const std::string& s) {
  std::vector<Load> v;
  for (const auto& p : list_items(s)) {
    if (p == "sleep") v.push_back(Load::sleep);
    else if (p == "spin") v.push_back(Load::spin);
    else if (p == "churn") v.push_back(Load::churn);
    else fail("unknown load '" + p + "' (sleep, spin, churn)");
  }
  return v;
}

std::string self_dir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, static_cast<size_t>(n));
  return p.substr(0, p.rfind('/'));
}

std::string today() {
  time_t t = time(nullptr);
  tm lt{};
  localtime_r(&t, &lt);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%d", &lt);
  return buf;
}

}  // namespace

void usage(FILE* f) {
  std::fprintf(f,
               "usage: cgbench --hierarchy v1|v2 [options]\n"
               "  --build-dir DIR     tools from DIR/tools/<tool>/<tool> (default /work/main/build)\n"
               "  --floor-dir DIR     floor programs (default: this program's directory)\n"
               "  --peers-dir DIR     peer scripts (default: <floor-dir>/peers)\n"
               "  --out DIR           results directory (default ./results)\n"
               "  --date YYYY-MM-DD   name of the result files (default today)\n"
               "  --suffix TEXT       appended to the result file names\n"
               "  --commit TEXT       commit of the tools, for the report header\n"
               "  --quick             N=1,100,1000 and M=1,100,1000, 3 repetitions\n"
               "  --reps R            repetitions per command (default 7)\n"
               "  --reps-large R      repetitions at N>=5000 (default 3)\n"
               "  --ns LIST           process counts (default 1,100,1000,5000)\n"
               "  --ms LIST           job counts for cgstat (default 1,100,1000,10000)\n"
               "  --loads LIST        sleep,spin,churn\n"
               "  --large-kill-loads LIST  loads for kill9/term at N>=5000 (default sleep)\n"
               "  --ops LIST          freeze,thaw,kill9,term,status,startup,run,add\n"
               "  --settle MS         pause between a reset and a measurement (default 15)\n"
               "  --busy-workers HOW  idle-group (default: a v1 cpu cgroup with cpu.idle=1,\n"
               "                      else SCHED_IDLE), sched-idle, or normal\n"
               "  --v2-kill-wait W    how the v2 kill floor waits: events or pidfd (default events)\n"
               "  --timeout S         kill a measured command after S seconds (default 10)\n");
}

Action parse_command_line(int argc, char** argv, Config& cfg) {
  cfg.floor_dir = self_dir();
  cfg.date = today();
  bool hier_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) fail(a + " needs an argument");
      return argv[++i];
    };
    if (a == "--hierarchy") {
      std::string h = next();
      if (h != "v1" && h != "v2") fail("--hierarchy must be v1 or v2");
      cfg.hier = h == "v1" ? 1 : 2;
      hier_given = true;
    } else if (a == "--build-dir") cfg.build_dir = next();
    else if (a == "--floor-dir") cfg.floor_dir = next();
    else if (a == "--peers-dir") cfg.peers_dir = next();
    else if (a == "--out") cfg.out_dir = next();
    else if (a == "--date") cfg.date = next();
    else if (a == "--suffix") cfg.suffix = next();
    else if (a == "--commit") cfg.commit = next();
    else if (a == "--quick") {
      cfg.quick = true;
      cfg.ns = {1, 100, 1000};
      cfg.ms = {1, 100, 1000};
      cfg.reps = 3;
      cfg.reps_large = 3;
      if (cfg.suffix.empty()) cfg.suffix = "-quick";
    } else if (a == "--reps") cfg.reps = parse_count(a, next());
    else if (a == "--reps-large") cfg.reps_large = parse_count(a, next());
    else if (a == "--ns") cfg.ns = parse_counts(a, next());
    else if (a == "--ms") cfg.ms = parse_counts(a, next());
    else if (a == "--loads") cfg.loads = parse_loads(next());
    else if (a == "--large-kill-loads") cfg.large_kill_loads = parse_loads(next());
    else if (a == "--ops") cfg.ops = list_items(next());
    else if (a == "--settle") cfg.settle_ms = std::atof(next().c_str());
    else if (a == "--timeout") cfg.timeout_s = std::atof(next().c_str());
    else if (a == "--busy-workers") {
      std::string b = next();
      if (b == "idle-group") cfg.busy = Busy::idle_group;
      else if (b == "sched-idle") cfg.busy = Busy::sched_idle;
      else if (b == "normal") cfg.busy = Busy::normal;
      else fail("--busy-workers: idle-group, sched-idle or normal");
    }
    else if (a == "--v2-kill-wait") cfg.v2_kill_wait = next();
    else if (a == "--clean-stale") return Action::clean_stale;
    else if (a == "-h" || a == "--help") return Action::help;
    else fail("unknown option " + a);
  }
  if (!hier_given) fail("--hierarchy v1|v2 is required");
  if (cfg.reps < 1 || cfg.reps_large < 1) fail("--reps must be at least 1");
  return Action::bench;
}

bool executable(const std::string& p) { return access(p.c_str(), X_OK) == 0; }

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace cgbench
