// The add rows.
#include "bench/harness/bench.h"

#include <sys/types.h>
#include <unistd.h>

#include <cerrno>

#include "bench/harness/cgroup_dirs.h"
#include "bench/harness/fail.h"
#include "bench/harness/whole_file.h"
#include "bench/harness/worker_pool.h"
#include "lib/parse/id_list.h"

namespace cgbench {

/// `cgfreeze add` of n sleepers against one write per PID and cgclassify.
void Bench::add_group(int n) {
  std::string hv = m_h.name();
  int stage_fd = open_procs(m_stage);
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
      if (write(stage_fd, p.c_str(), p.size()) < 0) fail_sys(errno, "move " + p + " back to", m_stage);
  };
  auto verify = [this, n](const Variant&, const std::string&) -> std::string {
    auto procs = read_file(m_job + "/cgroup.procs");
    std::vector<pid_t> moved;
    size_t count = procs ? cgjob::parse_pid_list_into(*procs, moved) + moved.size() : 0;
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

}  // namespace cgbench
