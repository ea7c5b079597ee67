#include "bench/harness/stale_runs.h"

#include <dirent.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/harness/cgroup_dirs.h"
#include "bench/harness/cgroup_state.h"
#include "bench/harness/mounts.h"
#include "bench/harness/text_format.h"
#include "bench/harness/whole_file.h"

namespace cgbench {

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

}  // namespace cgbench
