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

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

extern char **environ;

#include "bench/harness/stop.h"
#include "bench/harness/fail.h"
#include "bench/harness/clock.h"
#include "bench/harness/whole_file.h"
#include "bench/harness/text_format.h"
#include "bench/harness/mounts.h"
#include "bench/harness/cgroup_state.h"
#include "bench/harness/cgroup_dirs.h"
#include "bench/harness/worker_loop.h"
#include "bench/harness/nursery.h"
#include "bench/harness/worker_pool.h"
#include "bench/harness/run_measured.h"

using namespace cgbench;

namespace {

// Freeze, thaw and start-up samples are cheap to reset and noisy: with 21
// samples (3x) the median of 1,000 spinners moved by up to 0.3x of the floor
// from one run to the next on 2 cores; with 63 (9x), by under 0.15x. (At
// N >= large_n three times.)
constexpr int k_cheap_reps_factor = 9;
// Jobs whose sleepers one nursery starts in the status rows (see status_group).
constexpr size_t k_spawn_batch = 500;

// ---------------------------------------------------------------- model

enum class Kind { floor_in, floor, ours, peer, other };  // other: shown, no ratio

struct Variant {
  std::string key;    // stable id for CSV: floor, ours, sh, cgroup-tools, pkill, ...
  Kind kind = Kind::peer;
  std::string label;  // what the table shows
  std::vector<std::string> argv;
  std::string na;     // non-empty: not available, and why
  bool floor_timing = false;  // prints "<wall_ns> <cpu_ns>"
};

struct Row {
  std::string key, label, na;
  Kind kind = Kind::peer;
  std::vector<Sample> samples;
};

struct Group {
  std::string op;    // freeze thaw kill9 term status startup
  std::string load;  // sleep spin churn, or "-"
  int n = 0;         // N processes or M jobs
  std::vector<Row> rows;
  double reset_ms = 0, run_ms = 0;  // where the harness's time went
  Row* row(const std::string& key) {
    for (auto& r : rows)
      if (r.key == key) return &r;
    return nullptr;
  }
};

struct Stats {
  int ok = 0, total = 0;
  double wmin = NAN, wmed = NAN, wmax = NAN, cmin = NAN, cmed = NAN, cmax = NAN;
};

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

Stats stats(const Row& r) {
  Stats st;
  std::vector<double> w, c;
  for (const auto& s : r.samples) {
    ++st.total;
    if (!s.ok) continue;
    ++st.ok;
    w.push_back(r.kind == Kind::floor_in ? s.in_wall : s.wall);
    c.push_back(r.kind == Kind::floor_in ? s.in_cpu : s.cpu);
  }
  if (!w.empty()) {
    st.wmin = *std::min_element(w.begin(), w.end());
    st.wmax = *std::max_element(w.begin(), w.end());
    st.wmed = median(w);
    st.cmin = *std::min_element(c.begin(), c.end());
    st.cmax = *std::max_element(c.begin(), c.end());
    st.cmed = median(c);
  }
  return st;
}

// ---------------------------------------------------------------- config

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
};

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

std::vector<int> parse_ints(const std::string& s) {
  std::vector<int> v;
  for (const auto& p : split(s, ',')) v.push_back(std::atoi(p.c_str()));
  return v;
}

std::vector<Load> parse_loads(const std::string& s) {
  std::vector<Load> v;
  for (const auto& p : split(s, ',')) {
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

bool executable(const std::string& p) { return access(p.c_str(), X_OK) == 0; }

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// ---------------------------------------------------------------- the bench

class Bench {
 public:
  Bench(Config cfg) : m_cfg(std::move(cfg)) {}

  int run();
  void cleanup();

 private:
  std::string tool(const std::string& name) const {
    return m_cfg.build_dir + "/tools/" + name + "/" + name;
  }
  std::string floor(const std::string& name) const { return m_cfg.floor_dir + "/" + name; }
  std::string peer(const std::string& name) const { return m_cfg.peers_dir + "/" + name; }
  /// Path of dir relative to the mount, as cgroup-tools and pkill want it.
  std::string rel(const std::string& dir) const { return dir.substr(m_h.mount.size()); }

  Variant ours(const std::string& label, std::vector<std::string> args, const std::string& t) const {
    Variant v{"ours", Kind::ours, label, {}, "", false};
    v.argv.push_back(tool(t));
    for (auto& a : args) v.argv.push_back(a);
    if (!executable(tool(t))) v.na = "not built (" + tool(t) + ")";
    return v;
  }

  void run_group(Group& g, const std::vector<Variant>& variants, int reps,
                 const std::function<void()>& reset,
                 const std::function<std::string(const Variant&, const std::string&)>& verify,
                 const std::function<void()>& after = {});
  void op_groups(Load load, int n);
  void kill_group(Load load, int n, bool sigkill);
  void status_group(int m);
  void startup_group();
  void spawn_group();
  void add_group(int n);
  void progress(const Group& g) const;
  void write_results() const;
  std::string markdown() const;

  Config m_cfg;
  Hier m_h;
  std::string m_base;   // <mount>/cgjobs-bench-<pid>
  std::string m_ops;    // job root for the N-process jobs
  std::string m_job;    // m_ops + "/w"
  std::string m_stage;  // m_ops + "/stage": where "add" takes its processes from
  std::string m_stat;   // job root for the M jobs
  std::vector<std::string> m_stat_jobs;
  std::vector<Group> m_groups;
  std::string m_busy_text;
  Capture m_cap;
  double m_t_start = 0;
  std::string m_interrupted;
};

void Bench::run_group(Group& g, const std::vector<Variant>& variants, int reps,
                      const std::function<void()>& reset,
                      const std::function<std::string(const Variant&, const std::string&)>& verify,
                      const std::function<void()>& after) {
  for (const auto& v : variants) {
    if (v.floor_timing) {
      // "floor process (how)" -> "floor in-process (how)": the program's own clock.
      std::string label = v.label.rfind("floor process", 0) == 0 ? "floor in-process" + v.label.substr(13)
                                                                 : v.label + ", in-process";
      g.rows.push_back(Row{"floor-in", label, v.na, Kind::floor_in, {}});
    }
    g.rows.push_back(Row{v.key, v.label, v.na, v.kind, {}});
  }
  size_t nv = variants.size();
  for (int rep = 0; rep < reps; ++rep) {
    // Rotate the order every repetition so that drift hits every command alike.
    for (size_t k = 0; k < nv; ++k) {
      const Variant& v = variants[(k + static_cast<size_t>(rep)) % nv];
      if (!v.na.empty()) continue;
      check_stop();
      double t0 = mono_ms();
      reset();
      g.reset_ms += mono_ms() - t0;
      sleep_ms(m_cfg.settle_ms);
      check_stop();
      std::string out;
      t0 = mono_ms();
      Sample s = run_measured(v.argv, m_cap, m_cfg.timeout_s, &out);
      g.run_ms += mono_ms() - t0;
      if (s.ok) {
        std::string bad = verify(v, out);
        if (!bad.empty()) {
          s.ok = false;
          s.note = bad;
        }
      }
      if (s.ok && v.floor_timing) {
        long long w = 0, c = 0;
        if (std::sscanf(out.c_str(), "%lld %lld", &w, &c) == 2) {
          s.in_wall = static_cast<double>(w) / 1e6;
          s.in_cpu = static_cast<double>(c) / 1e6;
        }
      }
      if (v.floor_timing) g.row("floor-in")->samples.push_back(s);
      g.row(v.key)->samples.push_back(s);
      reap_orphans();
      if (after) after();
    }
  }
  progress(g);
}

void Bench::progress(const Group& g) const {
  std::fprintf(stderr, "[%6.1fs] %s %-7s %-5s %5d:", (mono_ms() - m_t_start) / 1e3,
               m_h.name().c_str(), g.op.c_str(), g.load.c_str(), g.n);
  for (const auto& r : g.rows) {
    if (r.kind == Kind::floor_in) continue;
    Stats st = stats(r);
    if (!r.na.empty()) continue;
    std::fprintf(stderr, "  %s %s%s", r.key.c_str(), fmt_ms(st.wmed).c_str(),
                 st.ok < st.total ? ("(" + std::to_string(st.total - st.ok) + " failed)").c_str() : "");
  }
  std::fprintf(stderr, "   [resets %.1fs, commands %.1fs]\n", g.reset_ms / 1e3, g.run_ms / 1e3);
}

/// freeze and thaw over one set of n workers.
void Bench::op_groups(Load load, int n) {
  bool large = n >= m_cfg.large_n;
  // More repetitions: a reset here is one freeze or thaw, not N new
  // workers, and how fast busy workers get a CPU to be frozen varies a lot
  // from one sample to the next. Not at large N: a spawn next to 5,000
  // churning workers is slow (9 times took 20 minutes for that one row).
  int reps = large ? 3 * m_cfg.reps_large : k_cheap_reps_factor * m_cfg.reps;
  const std::string& job = m_job;
  std::string hv = m_h.name();
  int procs_fd = open((job + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
  if (procs_fd < 0) fail("open " + job + "/cgroup.procs: " + errno_text(errno));
  spawn_workers({procs_fd}, load, n);
  close(procs_fd);

  auto verify_state = [&](bool want_frozen) {
    return [this, want_frozen, job](const Variant&, const std::string&) -> std::string {
      if (want_frozen ? m_h.frozen(job) : m_h.thawed(job)) return "";
      return want_frozen ? "returned before the job was FROZEN" : "returned before the job was THAWED";
    };
  };

  for (bool freeze : {true, false}) {
    std::string op = freeze ? "freeze" : "thaw";
    if (!contains(m_cfg.ops, op)) continue;
    Group g{op, load_name(load), n, {}};
    std::vector<Variant> vs;
    vs.push_back({"floor", Kind::floor, "floor process", {floor("floor-freeze"), hv, job, op}, "", true});
    if (freeze)
      vs.push_back(ours("cgfreeze --wait J", {"--root", m_ops, "--wait", "w"}, "cgfreeze"));
    else
      vs.push_back(ours("cgfreeze thaw --wait J", {"--root", m_ops, "thaw", "--wait", "w"}, "cgfreeze"));
    vs.push_back({"sh", Kind::peer,
                  m_h.v == 2 ? (freeze ? "sh: echo 1 > cgroup.freeze; poll sleep 0.01"
                                       : "sh: echo 0 > cgroup.freeze; poll sleep 0.01")
                             : (freeze ? "sh: echo FROZEN > freezer.state; poll sleep 0.01"
                                       : "sh: echo THAWED > freezer.state; poll sleep 0.01"),
                  {peer("sh-freeze"), hv, job, op}, "", false});
    vs.push_back({"cgroup-tools", Kind::peer,
                  m_h.v == 2 ? (freeze ? "cgset -r cgroup.freeze=1; poll cgget" : "cgset -r cgroup.freeze=0; poll cgget")
                             : (freeze ? "cgset -r freezer.state=FROZEN; poll cgget"
                                       : "cgset -r freezer.state=THAWED; poll cgget"),
                  {peer("cgtools-freeze"), hv, rel(job), op}, "", false});
    if (!executable("/usr/bin/cgset")) vs.back().na = "cgroup-tools not installed";
    auto reset = [this, freeze, job] {
      if (!m_h.set_frozen(job, !freeze)) fail("reset: could not " + std::string(freeze ? "thaw " : "freeze ") + job);
    };
    run_group(g, vs, reps, reset, verify_state(freeze));
    m_groups.push_back(std::move(g));
  }
  kill_workers(m_h, {job});
  if (!m_h.wait_empty(job, 5000)) fail("workers did not leave " + job);
}

void Bench::kill_group(Load load, int n, bool sigkill) {
  bool large = n >= m_cfg.large_n;
  int reps = large ? m_cfg.reps_large : m_cfg.reps;
  const std::string& job = m_job;
  std::string hv = m_h.name();
  std::string signame = sigkill ? "KILL" : "TERM";
  Group g{sigkill ? "kill9" : "term", load_name(load), n, {}};
  std::vector<Variant> vs;
  if (sigkill && m_h.v == 2)
    vs.push_back({"floor", Kind::floor, "floor process (cgroup.kill, wait: " + m_cfg.v2_kill_wait + ")",
                  {floor("floor-v2-kill"), job, m_cfg.v2_kill_wait}, "", true});
  else
    vs.push_back({"floor", Kind::floor, "floor process (freeze, pidfd signal each, thaw)",
                  {floor("floor-signal"), hv, job, std::to_string(sigkill ? SIGKILL : SIGTERM)}, "", true});
  vs.push_back(ours(sigkill ? "cgkill -9 --wait J" : "cgkill -TERM --wait J",
                    {"--root", m_ops, sigkill ? "-9" : "-TERM", "--wait", "w"}, "cgkill"));
  vs.push_back({"sh", Kind::peer, "sh: kill -" + signame + " $(cat cgroup.procs) until empty (racy)",
                {peer("sh-kill"), job, signame}, "", false});
  vs.push_back({"pkill", Kind::peer, "pkill -" + signame + " --cgroup; wait until empty",
                {peer("pkill-kill"), rel(job), job, signame}, "", false});
  if (m_h.v == 1) vs.back().na = "pkill --cgroup matches cgroup v2 paths only";
  vs.push_back({"cgroup-tools", Kind::peer, "cgroup-tools", {}, "cgroup-tools has no kill command", false});

  int procs_fd = open((job + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
  if (procs_fd < 0) fail("open " + job + "/cgroup.procs: " + errno_text(errno));
  auto reset = [this, job, procs_fd, load, n] {
    double t0 = mono_ms();
    bool dbg = getenv("CGBENCH_DEBUG") != nullptr;
    if (!reap_dead_workers(1000) || !m_h.empty(job)) {
      kill_workers(m_h, {job});
      if (!m_h.wait_empty(job, 5000)) fail("reset: " + job + " does not empty");
    }
    if (!m_h.thawed(job) && !m_h.set_frozen(job, false)) fail("reset: could not thaw " + job);
    double t1 = mono_ms();
    spawn_workers({procs_fd}, load, n);
    if (dbg) std::fprintf(stderr, "reset: reap %.1f ms, spawn %.1f ms\n", t1 - t0, mono_ms() - t1);
  };
  auto verify = [this, job](const Variant&, const std::string&) -> std::string {
    if (m_h.empty(job)) return "";
    return "returned while the job still had processes";
  };
  run_group(g, vs, reps, reset, verify);
  close(procs_fd);
  kill_workers(m_h, {job});
  (void)m_h.wait_empty(job, 5000);
  m_groups.push_back(std::move(g));
}

void Bench::status_group(int m) {
  // M jobs below their own root, one sleeper in each, every other one frozen.
  // The sleepers are started k_spawn_batch jobs at a time, one nursery each:
  // the cgroup.procs fds of a batch are open only while it spawns, so the
  // harness holds about M fds (the pidfds), not 2 M (M = 10,000 ran out).
  m_stat_jobs.clear();
  std::vector<int> fds;
  auto close_fds = [&fds] {
    for (int fd : fds) close(fd);
    fds.clear();
  };
  try {
    for (int i = 0; i < m; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "/j%04d", i);
      std::string dir = m_stat + name;
      make_cgroup(dir);
      m_stat_jobs.push_back(dir);
      int fd = open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) fail("open " + dir + "/cgroup.procs: " + errno_text(errno));
      fds.push_back(fd);
      check_stop();
      if (fds.size() == k_spawn_batch || i == m - 1) {
        spawn_workers(fds, Load::sleep, 1);
        close_fds();
      }
    }
  } catch (...) {
    close_fds();
    throw;
  }
  for (int i = 0; i < m; i += 2)
    if (!m_h.set_frozen(m_stat_jobs[static_cast<size_t>(i)], true)) fail("could not freeze " + m_stat_jobs[static_cast<size_t>(i)]);

  std::string hv = m_h.name();
  Group g{"status", "sleep", m, {}};
  std::vector<Variant> vs;
  vs.push_back({"floor", Kind::floor, "floor process (read the status files)", {floor("floor-status"), hv, m_stat}, "", true});
  vs.push_back(ours("cgstat --json", {"--root", m_stat, "--json"}, "cgstat"));
  vs.push_back({"sh", Kind::peer, "sh: read the files with bash builtins", {peer("sh-status"), hv, m_stat}, "", false});
  if (m_h.v == 2)
    vs.push_back({"cgroup-tools", Kind::peer, "cgget -r cgroup.freeze,events,procs (one call)",
                  {peer("cgtools-status"), hv, rel(m_stat), m_stat}, "", false});
  else
    vs.push_back({"cgroup-tools", Kind::peer, "cgget -g freezer (one call; no procs, see README)",
                  {peer("cgtools-status"), hv, rel(m_stat), m_stat}, "", false});
  if (m_h.v == 1)
    vs.push_back({"lscgroup", Kind::peer, "lscgroup (names only)", {"/usr/bin/lscgroup", "freezer:" + rel(m_stat)}, "", false});
  else
    vs.push_back({"lscgroup", Kind::peer, "lscgroup (names only)", {}, "lscgroup does not name the cgroup2 mount on a hybrid host", false});
  if (!executable("/usr/bin/cgget"))
    for (auto& v : vs)
      if (v.key == "cgroup-tools" || v.key == "lscgroup") v.na = "cgroup-tools not installed";

  auto verify = [m](const Variant& v, const std::string& out) -> std::string {
    if (v.key == "ours") {
      size_t count = 0;
      for (size_t p = out.find("\"name\""); p != std::string::npos; p = out.find("\"name\"", p + 1)) ++count;
      if (count != static_cast<size_t>(m))
        return "listed " + std::to_string(count) + " jobs, expected " + std::to_string(m);
    }
    if (v.key == "sh") {
      auto lines = static_cast<size_t>(std::count(out.begin(), out.end(), '\n'));
      if (lines != static_cast<size_t>(m)) return "printed " + std::to_string(lines) + " lines";
    }
    return "";
  };
  run_group(g, vs, m >= m_cfg.large_n ? m_cfg.reps_large : m_cfg.reps, [] {}, verify);
  m_groups.push_back(std::move(g));

  kill_workers(m_h, m_stat_jobs);
  for (auto it = m_stat_jobs.rbegin(); it != m_stat_jobs.rend(); ++it) remove_cgroup(*it);
  m_stat_jobs.clear();
}

void Bench::startup_group() {
  Group g{"startup", "-", 0, {}};
  std::vector<Variant> vs;
  vs.push_back({"floor", Kind::floor, "static `int main(){return 0;}`", {floor("floor-true-static")}, "", false});
  vs.push_back(ours("cgstat --version", {"--version"}, "cgstat"));
  vs.push_back(ours("cgfreeze --version", {"--version"}, "cgfreeze"));
  vs.back().key = "ours-cgfreeze";
  vs.push_back(ours("cgkill --version", {"--version"}, "cgkill"));
  vs.back().key = "ours-cgkill";
  vs.push_back({"true", Kind::peer, "/bin/true (dynamic, coreutils)", {"/bin/true"}, "", false});
  run_group(g, vs, m_cfg.reps * k_cheap_reps_factor, [] {}, [](const Variant&, const std::string&) { return std::string(); });
  // The other tools' --version are shown for reference; only cgstat's is "ours".
  for (auto& r : g.rows)
    if (r.key == "ours-cgfreeze" || r.key == "ours-cgkill") r.kind = Kind::other;
  m_groups.push_back(std::move(g));
}

/// `cgfreeze run` against clone3(CLONE_INTO_CGROUP)/fork+join and cgexec, in
/// a job of its own: since Linux 6.13 a CLONE_INTO_CGROUP child of a job that
/// was emptied through cgroup.kill (as m_job was, by the kill groups) is
/// killed at birth. cgfreeze then starts the command again by joining; on v2
/// that costlier path is shown as an extra row, in m_job.
void Bench::spawn_group() {
  std::string hv = m_h.name();
  std::string job = m_ops + "/run";
  make_cgroup(job);
  auto with_probe = [&](std::vector<std::string> head, const std::string& in) {
    for (const auto& a : {floor("floor-in-cgroup"), hv, rel(in)}) head.push_back(a);
    return head;
  };
  Group g{"run", "-", 0, {}};
  std::vector<Variant> vs;
  vs.push_back({"floor", Kind::floor,
                m_h.v == 2 ? "floor process (clone3 CLONE_INTO_CGROUP, exec, wait)"
                           : "floor process (fork, join cgroup.procs, exec, wait)",
                with_probe({floor("floor-run"), hv, job}, job), "", true});
  vs.push_back(ours("cgfreeze run J -- CMD", with_probe({"--root", m_ops, "run", "run", "--"}, job), "cgfreeze"));
  if (m_h.v == 2) {
    vs.push_back(ours("cgfreeze run J -- CMD, J emptied by cgroup.kill before (born killed, joins instead)",
                      with_probe({"--root", m_ops, "run", "w", "--"}, m_job), "cgfreeze"));
    vs.back().key = "ours-killed-job";
    vs.back().kind = Kind::other;
  }
  vs.push_back({"sh", Kind::peer, "sh: echo $$ > cgroup.procs; exec CMD", with_probe({peer("sh-run"), job}, job), "",
                false});
  vs.push_back({"cgroup-tools", Kind::peer, "cgexec -g freezer:J CMD",
                with_probe({"/usr/bin/cgexec", "-g", "freezer:" + rel(job)}, job), "", false});
  if (m_h.v == 2) vs.back().na = "cgexec cannot name the cgroup2 mount of a hybrid host";
  else if (!executable("/usr/bin/cgexec")) vs.back().na = "cgroup-tools not installed";
  auto verify = [this, job](const Variant&, const std::string&) -> std::string {
    return m_h.wait_empty(job, 1000) && m_h.wait_empty(m_job, 1000) ? "" : "the job kept a process";
  };
  run_group(g, vs, m_cfg.reps, [] {}, verify);
  m_groups.push_back(std::move(g));
}

/// `cgfreeze add` of n sleepers against one write per PID and cgclassify.
void Bench::add_group(int n) {
  std::string hv = m_h.name();
  int stage_fd = open((m_stage + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
  if (stage_fd < 0) fail("open " + m_stage + "/cgroup.procs: " + errno_text(errno));
  spawn_workers({stage_fd}, Load::sleep, n);
  std::vector<std::string> pids;
  for (pid_t p : worker_pids()) pids.push_back(std::to_string(p));
  auto with_pids = [&](std::vector<std::string> head) {
    head.insert(head.end(), pids.begin(), pids.end());
    return head;
  };
  Group g{"add", "sleep", n, {}};
  std::vector<Variant> vs;
  vs.push_back({"floor", Kind::floor, "floor process (write each PID to cgroup.procs)",
                with_pids({floor("floor-add"), m_job}), "", true});
  vs.push_back(ours("cgfreeze add J PID...", with_pids({"--root", m_ops, "add", "w"}), "cgfreeze"));
  vs.push_back({"sh", Kind::peer, "sh: echo PID > cgroup.procs, each", with_pids({peer("sh-add"), m_job}), "", false});
  vs.push_back({"cgroup-tools", Kind::peer, "cgclassify -g freezer:J PID...",
                with_pids({"/usr/bin/cgclassify", "-g", "freezer:" + rel(m_job)}), "", false});
  if (m_h.v == 2) vs.back().na = "cgclassify cannot name the cgroup2 mount of a hybrid host";
  else if (!executable("/usr/bin/cgclassify")) vs.back().na = "cgroup-tools not installed";
  auto reset = [&] {
    for (const auto& p : pids)
      if (write(stage_fd, p.c_str(), p.size()) < 0) fail("move " + p + " back to " + m_stage + ": " + errno_text(errno));
  };
  auto verify = [this, n](const Variant&, const std::string&) -> std::string {
    auto procs = read_file(m_job + "/cgroup.procs");
    size_t count = procs ? static_cast<size_t>(std::count(procs->begin(), procs->end(), '\n')) : 0;
    if (count == static_cast<size_t>(n)) return "";
    return std::to_string(count) + " of " + std::to_string(n) + " processes moved";
  };
  run_group(g, vs, m_cfg.reps, reset, verify);
  m_groups.push_back(std::move(g));
  close(stage_fd);
  kill_workers(m_h, {m_stage, m_job});
  (void)m_h.wait_empty(m_job, 5000);
  (void)m_h.wait_empty(m_stage, 5000);
}

int Bench::run() {
  m_t_start = mono_ms();
  m_h.v = m_cfg.hier;
  m_h.mount = find_mount(m_cfg.hier);
  if (m_h.mount.empty()) {
    std::fprintf(stderr, "cgbench: no %s mount in /proc/self/mountinfo; skipping\n",
                 m_cfg.hier == 2 ? "cgroup2" : "cgroup v1 freezer");
    return 3;
  }
  m_base = m_h.mount + "/cgjobs-bench-" + std::to_string(getpid());
  m_ops = m_base + "/ops";
  m_job = m_ops + "/w";
  m_stage = m_ops + "/stage";
  m_stat = m_base + "/stat";
  make_cgroup(m_base);
  make_cgroup(m_ops);
  make_cgroup(m_job);
  make_cgroup(m_stage);
  make_cgroup(m_stat);
  make_cgroup(m_base + "/nursery");
  g_home_procs_fd = open((m_base + "/nursery/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
  if (g_home_procs_fd < 0) fail("open " + m_base + "/nursery/cgroup.procs: " + errno_text(errno));
  if (g_busy == Busy::idle_group) {
    std::string cpu = find_mount(k_cpu_hier);
    if (!cpu.empty()) {
      std::string dir = cpu + "/cgjobs-bench-" + std::to_string(getpid());
      make_cgroup(dir);
      if (write_file(dir + "/cpu.idle", "1") == 0) m_busy_text = "in a cpu cgroup with cpu.idle=1 (" + dir + ")";
      else if (write_file(dir + "/cpu.shares", "2") == 0) m_busy_text = "in a cpu cgroup with cpu.shares=2 (" + dir + ")";
      else fail("cannot make " + dir + " idle");
      g_cpu_procs_fd = open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
      if (g_cpu_procs_fd < 0) fail("open " + dir + "/cgroup.procs: " + errno_text(errno));
    } else {
      g_busy = Busy::sched_idle;
    }
  }
  if (g_busy == Busy::sched_idle) m_busy_text = "under SCHED_IDLE";
  if (g_busy == Busy::normal) m_busy_text = "under SCHED_OTHER, like the command under test";
  if (m_h.v == 2 && access((m_job + "/cgroup.freeze").c_str(), F_OK) != 0)
    fail("cgroup2 at " + m_h.mount + " has no freezer (cgroup.freeze: kernel 5.2+)");
  std::fprintf(stderr, "cgbench: %s at %s, bench root %s\n", m_h.name().c_str(), m_h.mount.c_str(),
               m_base.c_str());

  // Warm the page cache for every binary once, unmeasured (floor programs
  // without arguments print their usage).
  std::vector<std::vector<std::string>> warm{
      {tool("cgfreeze"), "--version"}, {tool("cgkill"), "--version"}, {tool("cgstat"), "--version"},
      {"/bin/bash", "-c", "echo x | grep -q x; cat /dev/null; sleep 0"},
      {"/usr/bin/pkill", "-V"}, {"/usr/bin/cgget", "-h"}, {"/bin/true"}};
  for (const char* f : {"floor-true-static", "floor-in-cgroup", "floor-freeze", "floor-v2-kill", "floor-signal",
                        "floor-status", "floor-run", "floor-add"})
    warm.push_back({floor(f)});
  for (const auto& w : warm)
    if (executable(w[0])) (void)run_measured(w, m_cap, 10);

  try {
    if (contains(m_cfg.ops, "startup")) startup_group();
    for (Load load : m_cfg.loads) {
      for (int n : m_cfg.ns) {
        bool large_kill = n >= m_cfg.large_n && std::find(m_cfg.large_kill_loads.begin(), m_cfg.large_kill_loads.end(),
                                                           load) == m_cfg.large_kill_loads.end();
        auto wanted = [&](const std::string& op) {
          return contains(m_cfg.ops, op) && !(large_kill && (op == "kill9" || op == "term"));
        };
        if (wanted("freeze") || wanted("thaw")) op_groups(load, n);
        if (wanted("kill9")) kill_group(load, n, true);
        if (wanted("term")) kill_group(load, n, false);
      }
    }
    if (contains(m_cfg.ops, "status"))
      for (int m : m_cfg.ms) status_group(m);
    if (contains(m_cfg.ops, "run")) spawn_group();
    if (contains(m_cfg.ops, "add"))
      for (int n : m_cfg.ns)
        if (n < m_cfg.large_n) add_group(n);
  } catch (const Interrupted&) {
    m_interrupted = std::string("interrupted by ") + strsignal(static_cast<int>(g_stop));
    std::fprintf(stderr, "cgbench: %s; cleaning up\n", m_interrupted.c_str());
    cleanup();
    if (!m_groups.empty()) write_results();
    return 130;
  }
  cleanup();
  write_results();
  return 0;
}

void Bench::cleanup() {
  std::vector<std::string> dirs;
  if (!m_job.empty()) dirs = {m_job, m_stage};
  for (const auto& d : m_stat_jobs) dirs.push_back(d);
  if (nurseries_running()) kill_workers(m_h, dirs);
  // Workers of a nursery killed mid-spawn were orphaned to us (subreaper).
  double deadline = mono_ms() + 10000;
  for (;;) {
    pid_t r = waitpid(-1, nullptr, WNOHANG);
    if (r > 0) continue;
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 || mono_ms() > deadline) break;  // ECHILD: nobody left
    sleep_ms(5);
  }
  std::vector<std::string> created = g_created_dirs;  // remove_cgroup edits the list
  for (auto it = created.rbegin(); it != created.rend(); ++it) remove_cgroup(*it);
}

// ---------------------------------------------------------------- reporting

std::string kind_name(Kind k) {
  switch (k) {
    case Kind::floor_in: return "floor-in-process";
    case Kind::floor: return "floor-process";
    case Kind::ours: return "ours";
    case Kind::peer: return "peer";
    case Kind::other: return "other";
  }
  return "?";
}

std::string csv_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += "\"\"";
    else out += c;
  }
  return out + "\"";
}

std::string csv_num(double v) { return std::isnan(v) ? "" : fmt(v, 4); }

struct Target {
  std::string op;
  int n;
  double bound;
  std::string what;
};

const std::vector<Target> k_targets{
    {"freeze", 1000, 1.2, "cgfreeze --wait, N=1000"},
    {"thaw", 1000, 1.2, "cgfreeze thaw --wait, N=1000"},
    {"kill9", 1000, 1.2, "cgkill -9 --wait, N=1000"},
    {"term", 1000, 1.3, "cgkill -TERM --wait (race-free), N=1000"},
    {"status", 1000, 1.3, "cgstat --json, M=1000"},
    {"status", 10000, 1.3, "cgstat --json, M=10000 (issue 12; --ms ...,10000)"},
    {"startup", 0, 1.5, "cgstat --version vs static binary start-up"},
};

double ratio(const Row* a, const Row* b, bool cpu = false) {
  if (!a || !b) return NAN;
  Stats sa = stats(*a), sb = stats(*b);
  if (sa.ok == 0 || sb.ok == 0) return NAN;
  return cpu ? sa.cmed / sb.cmed : sa.wmed / sb.wmed;
}

const char* k_op_titles[][2] = {
    {"freeze", "Freeze and wait until FROZEN"},
    {"thaw", "Thaw and wait until THAWED"},
    {"kill9", "SIGKILL the job and wait until it is empty"},
    {"term", "SIGTERM the job (workers exit in their handler) and wait until it is empty"},
    {"status", "Status of M jobs (one sleeper each, every other job frozen)"},
    {"startup", "Start-up"},
    {"run", "Start a command inside the job (the command checks /proc/self/cgroup)"},
    {"add", "Move N running processes into the job"},
};

std::string Bench::markdown() const {
  std::ostringstream md;
  utsname un{};
  uname(&un);
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  md << "# cgjob bench — " << m_h.name() << " — " << m_cfg.date << (m_cfg.quick ? " (quick)" : "") << "\n\n";
  md << "- kernel " << un.release << ", " << ncpu << " CPUs; hierarchy " << m_h.name() << " at `" << m_h.mount
     << "`\n";
  md << "- tools: `" << m_cfg.build_dir << "/tools/<tool>/<tool>`" << (m_cfg.commit.empty() ? "" : ", sources at " + m_cfg.commit)
     << "\n";
  md << "- repetitions: " << m_cfg.reps << " (" << m_cfg.reps_large << " at N≥" << m_cfg.large_n
     << "; " << k_cheap_reps_factor << " times that for freeze, thaw and start-up, 3 times at N≥" << m_cfg.large_n
     << "); busy workers run "
 << m_busy_text << "; " << fmt(m_cfg.settle_ms, 0)
     << " ms pause after each reset\n";
  md << "- total run time " << fmt((mono_ms() - m_t_start) / 1e3, 0) << " s\n\n";
  if (!m_interrupted.empty()) md << "**Run " << m_interrupted << ": partial results.**\n\n";
  md << "Times in ms. **Wall**: monotonic clock around the whole process (spawn, exec, run, "
        "wait4). **CPU**: the child's user+sys from wait4's rusage. \"in-process\" rows are the "
        "floor program's own clock around the operation (no exec, no start-up). **ours/floor**: "
        "median wall of ours ÷ median wall of the floor process; **ours/peer**: median wall of "
        "ours ÷ median wall of that peer (CPU ratio in parentheses). A sample counts only if the "
        "command exited 0 and the kernel state it promised (FROZEN, THAWED, empty) held when it "
        "returned.\n\n";

  // Targets.
  md << "## Targets\n\n| target | load | ours/floor (wall) | bound | result |\n|---|---|---|---|---|\n";
  for (const auto& t : k_targets) {
    for (const auto& g : m_groups) {
      if (g.op != t.op || g.n != t.n) continue;
      Row* o = const_cast<Group&>(g).row("ours");
      Row* f = const_cast<Group&>(g).row("floor");
      double r = ratio(o, f);
      std::string result;
      if (!o || !o->na.empty()) result = "n/a (" + (o ? o->na : std::string("no data")) + ")";
      else if (std::isnan(r)) result = "n/a (no valid samples)";
      else result = r <= t.bound ? "**met**" : "**missed**";
      md << "| " << t.what << " | " << g.load << " | " << fmt(r) << " | ≤ " << fmt(t.bound, 1) << " | " << result
         << " |\n";
    }
  }
  md << "\n";

  for (const auto& title : k_op_titles) {
    bool any = false;
    for (const auto& g : m_groups) any |= g.op == title[0];
    if (!any) continue;
    md << "## " << title[1] << "\n\n";
    md << "| load | " << (std::string(title[0]) == "status" ? "M" : "N")
       << " | command | wall min | wall med | wall max | CPU min | CPU med | CPU max | ours/floor | ours/peer |\n";
    md << "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& g : m_groups) {
      if (g.op != title[0]) continue;
      Group& gg = const_cast<Group&>(g);
      Row* o = gg.row("ours");
      Row* f = gg.row("floor");
      for (const auto& r : g.rows) {
        std::string n = g.n == 0 ? "–" : std::to_string(g.n);
        md << "| " << g.load << " | " << n << " | ";
        std::string label = r.kind == Kind::ours ? "**" + r.label + "**" : r.label;
        if (!r.na.empty()) {
          md << label << " | n/a: " << r.na << " | | | | | | | |\n";
          continue;
        }
        Stats st = stats(r);
        md << label;
        if (st.ok < st.total) {
          std::string note;
          for (const auto& s : r.samples)
            if (!s.ok) {
              note = s.note;
              break;
            }
          md << " ⚠ " << (st.total - st.ok) << "/" << st.total << " failed: " << note;
        }
        md << " | " << fmt_ms(st.wmin) << " | " << fmt_ms(st.wmed) << " | " << fmt_ms(st.wmax) << " | "
           << fmt_ms(st.cmin) << " | " << fmt_ms(st.cmed) << " | " << fmt_ms(st.cmax) << " | ";
        if (r.kind == Kind::ours) md << fmt(ratio(o, f)) << " (" << fmt(ratio(o, f, true)) << ")";
        md << " | ";
        if (r.kind == Kind::peer && o && o->na.empty())
          md << fmt(ratio(o, &r)) << " (" << fmt(ratio(o, &r, true)) << ")";
        md << " |\n";
      }
    }
    md << "\n";
  }
  return md.str();
}

void Bench::write_results() const {
  mkdir(m_cfg.out_dir.c_str(), 0755);
  std::string stem = m_cfg.out_dir + "/" + m_cfg.date + "-" + m_h.name() + m_cfg.suffix +
                     (m_interrupted.empty() ? "" : "-partial");
  {
    std::ofstream csv(stem + ".csv");
    csv << "hierarchy,op,load,n,variant,kind,label,rep,ok,wall_ms,cpu_ms,note\n";
    for (const auto& g : m_groups)
      for (const auto& r : g.rows) {
        int rep = 0;
        for (const auto& s : r.samples) {
          bool in = r.kind == Kind::floor_in;
          csv << m_h.name() << "," << g.op << "," << g.load << "," << g.n << "," << r.key << ","
              << kind_name(r.kind) << "," << csv_quote(r.label) << "," << rep++ << "," << (s.ok ? 1 : 0) << ","
              << csv_num(in ? s.in_wall : s.wall) << "," << csv_num(in ? s.in_cpu : s.cpu) << ","
              << csv_quote(s.note) << "\n";
        }
      }
  }
  std::ofstream(stem + ".md") << markdown();
  std::fprintf(stderr, "cgbench: wrote %s.md and %s.csv\n", stem.c_str(), stem.c_str());
}

// ---------------------------------------------------------------- stale runs

/// Removes cgjobs-bench-<pid> trees left by a harness that was SIGKILLed:
/// only trees whose <pid> is no longer a running cgbench. The processes in
/// them were started by that harness; they are killed by PID after a thaw.
int clean_stale() {
  int found = 0;
  for (int hier : {2, 1, k_cpu_hier}) {
    Hier h;
    h.v = hier == 2 ? 2 : 1;
    h.mount = find_mount(hier);
    if (h.mount.empty()) continue;
    DIR* d = opendir(h.mount.c_str());
    if (!d) continue;
    std::vector<std::string> stale;
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name.rfind("cgjobs-bench-", 0) != 0) continue;
      std::string pid = name.substr(13);
      if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
      auto comm = read_file("/proc/" + pid + "/comm");
      if (comm && trim(*comm) == "cgbench") continue;  // a live run
      stale.push_back(h.mount + "/" + name);
    }
    closedir(d);
    for (const auto& top : stale) {
      ++found;
      // Depth-first list of the tree.
      std::vector<std::string> all{top};
      for (size_t i = 0; i < all.size(); ++i) {
        DIR* sd = opendir(all[i].c_str());
        if (!sd) continue;
        while (dirent* e = readdir(sd))
          if (e->d_type == DT_DIR && e->d_name[0] != '.') all.push_back(all[i] + "/" + e->d_name);
        closedir(sd);
      }
      for (const auto& dir : all) {
        auto procs = read_file(dir + "/cgroup.procs");
        if (procs)
          for (const auto& p : split(*procs, '\n'))
            if (!p.empty() && std::atoi(p.c_str()) > 0) kill(std::atoi(p.c_str()), SIGKILL);
        if (hier != k_cpu_hier) (void)h.set_frozen(dir, false, 2000);
      }
      for (auto it = all.rbegin(); it != all.rend(); ++it) {
        (void)h.wait_empty(*it, 3000);
        remove_cgroup(*it);
      }
      std::fprintf(stderr, "cgbench: removed stale %s\n", top.c_str());
    }
  }
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg;
  cfg.floor_dir = self_dir();
  cfg.date = today();
  bool hier_given = false;
  try {
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
      } else if (a == "--reps") cfg.reps = std::atoi(next().c_str());
      else if (a == "--reps-large") cfg.reps_large = std::atoi(next().c_str());
      else if (a == "--ns") cfg.ns = parse_ints(next());
      else if (a == "--ms") cfg.ms = parse_ints(next());
      else if (a == "--loads") cfg.loads = parse_loads(next());
      else if (a == "--large-kill-loads") cfg.large_kill_loads = parse_loads(next());
      else if (a == "--ops") cfg.ops = split(next(), ',');
      else if (a == "--settle") cfg.settle_ms = std::atof(next().c_str());
      else if (a == "--timeout") cfg.timeout_s = std::atof(next().c_str());
      else if (a == "--busy-workers") {
        std::string b = next();
        if (b == "idle-group") g_busy = Busy::idle_group;
        else if (b == "sched-idle") g_busy = Busy::sched_idle;
        else if (b == "normal") g_busy = Busy::normal;
        else fail("--busy-workers: idle-group, sched-idle or normal");
      }
      else if (a == "--v2-kill-wait") cfg.v2_kill_wait = next();
      else if (a == "--clean-stale") return clean_stale() >= 0 ? 0 : 1;
      else if (a == "-h" || a == "--help") {
        usage(stdout);
        return 0;
      } else fail("unknown option " + a);
    }
    if (!hier_given) fail("--hierarchy v1|v2 is required");
    if (cfg.reps < 1 || cfg.reps_large < 1) fail("--reps must be at least 1");
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

  install_stop_handlers();

  // Orphans of a nursery killed while it was still forking come back to us
  // for reaping, not to init.
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  // One pidfd per worker here and in the kill floors: N = 5,000 processes or
  // M = 10,000 jobs need more than the usual 1,024 fds, and may need more
  // than the hard limit, which root can raise (up to fs.nr_open).
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
