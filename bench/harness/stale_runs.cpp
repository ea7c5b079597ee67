#include "bench/harness/stale_runs.h"

#include <dirent.h>
#include <signal.h>

#include <sys/types.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "bench/harness/cgroup_dirs.h"
#include "bench/harness/cgroup_state.h"
#include "bench/harness/mounts.h"
#include "bench/harness/whole_file.h"
#include "lib/base/text.h"
#include "lib/parse/id_list.h"
#include "lib/parse/proc_stat.h"

namespace cgbench {

namespace {

/// Whether process `pid` runs and is a cgbench (the command name in its
/// /proc/PID/stat).
bool is_cgbench(unsigned long long pid) {
  auto text = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return false;
  auto task = cgjob::parse_proc_stat(*text, static_cast<pid_t>(pid));
  return task && task->comm == "cgbench";
}

}  // namespace

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
      auto pid = cgjob::parse_decimal(std::string_view(name).substr(13));
      if (!pid) continue;
      if (is_cgbench(*pid)) continue;  // a live run
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
        std::vector<pid_t> pids;
        if (procs) cgjob::parse_pid_list_into(*procs, pids);
        for (pid_t p : pids) kill(p, SIGKILL);
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

}  // namespace cgbench
