// The startup and run rows.
#include "bench/harness/bench.h"

#include "bench/harness/cgroup_dirs.h"

namespace cgbench {

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

}  // namespace cgbench
