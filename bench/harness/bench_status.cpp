// The status rows: M jobs.
#include "bench/harness/bench.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "bench/harness/cgroup_dirs.h"
#include "bench/harness/fail.h"
#include "bench/harness/stop.h"
#include "bench/harness/worker_pool.h"

namespace cgbench {

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
      fds.push_back(open_procs(dir));
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

}  // namespace cgbench
