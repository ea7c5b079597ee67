#include "bench/harness/bench.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "bench/harness/cgroup_dirs.h"
#include "bench/harness/clock.h"
#include "bench/harness/fail.h"
#include "bench/harness/mounts.h"
#include "bench/harness/nursery.h"
#include "bench/harness/stop.h"
#include "bench/harness/text_format.h"
#include "bench/harness/whole_file.h"
#include "bench/harness/worker_pool.h"

namespace cgbench {

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
    char failed[32] = "";
    if (st.ok < st.total) std::snprintf(failed, sizeof failed, "(%d failed)", st.total - st.ok);
    std::fprintf(stderr, "  %s %s%s", r.key.c_str(), fmt_ms(st.wmed).c_str(), failed);
  }
  std::fprintf(stderr, "   [resets %.1fs, commands %.1fs]\n", g.reset_ms / 1e3, g.run_ms / 1e3);
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
  g_home_procs_fd = open_procs(m_base + "/nursery");
  if (g_busy == Busy::idle_group) {
    std::string cpu = find_mount(k_cpu_hier);
    if (!cpu.empty()) {
      std::string dir = cpu + "/cgjobs-bench-" + std::to_string(getpid());
      make_cgroup(dir);
      if (write_file(dir + "/cpu.idle", "1") == 0) m_busy_text = "in a cpu cgroup with cpu.idle=1 (" + dir + ")";
      else if (write_file(dir + "/cpu.shares", "2") == 0) m_busy_text = "in a cpu cgroup with cpu.shares=2 (" + dir + ")";
      else fail("cannot make " + dir + " idle");
      g_cpu_procs_fd = open_procs(dir);
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

}  // namespace cgbench
