#include "lib/cgroup/caller.h"

#include <algorithm>

namespace cgjob {

bool runs_inside(const Cgroup& job, const Caller& caller) {
  if (caller.known()) return caller.inside(job);
  auto subtree = open_subtree(job);
  if (!subtree) return true;
  auto pids = subtree_procs(*subtree);
  return !pids || std::find(pids->begin(), pids->end(), caller.pid) != pids->end();
}

}  // namespace cgjob
