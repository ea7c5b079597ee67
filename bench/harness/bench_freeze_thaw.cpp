// The freeze and thaw rows.
#include "bench/harness/bench.h"

#include <unistd.h>


#include "bench/harness/cgroup_dirs.h"
#include "bench/harness/fail.h"
#include "bench/harness/worker_pool.h"

namespace cgbench {

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
  int procs_fd = open_procs(job);
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

}  // namespace cgbench
