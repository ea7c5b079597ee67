// The kill9 and term rows.
#include "bench/harness/bench.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "bench/harness/clock.h"
#include "bench/harness/cgroup_dirs.h"
#include "bench/harness/fail.h"
#include "bench/harness/worker_pool.h"

namespace cgbench {

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

  int procs_fd = open_procs(job);
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

}  // namespace cgbench
