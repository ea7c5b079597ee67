#include "lib/cgroup/systemd_unit.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "lib/cgroup/hierarchy_traits.h"
#include "lib/cgroup/self_cgroup.h"

extern char** environ;

namespace cgjob {
namespace {

bool ends_with_unit_suffix(std::string_view name) {
  return (name.size() > 8 && name.ends_with(".service")) || (name.size() > 6 && name.ends_with(".scope"));
}

// Runs /usr/bin/NAME or /bin/NAME with `args`, its output discarded; its exit
// status, or -1 when it could not run. A fixed path: root's PATH decides nothing.
int run_quiet(std::string_view name, std::vector<std::string> args) {
  std::string path;
  for (std::string_view dir : {"/usr/bin/", "/bin/"}) {
    std::string candidate = std::string(dir) + std::string(name);
    if (::access(candidate.c_str(), X_OK) == 0) {
      path = candidate;
      break;
    }
  }
  if (path.empty()) return -1;
  args.insert(args.begin(), path);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

bool systemd_owns(SysIo& io, const CgroupMount& mount) {
  if (!hierarchy_traits(mount.kind).systemd_may_own || mount.root != "/") return false;
  DirRef top{AT_FDCWD, "/"};
  return static_cast<bool>(io.open_dir(top, "/run/systemd/system")) &&
         io.has_file(top, join_path(mount.mountpoint, "init.scope/cgroup.procs"));
}

std::string jobs_unit_dir(std::string_view mountpoint) {
  return join_path(join_path(mountpoint, "system.slice"), k_jobs_unit);
}

std::string jobs_unit_root(std::string_view mountpoint) { return join_path(jobs_unit_dir(mountpoint), "jobs"); }

std::string unit_of_cgroup(std::string_view path) {
  std::string unit;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    auto component = path.substr(i, j - i);
    if (ends_with_unit_suffix(component)) unit = std::string(component);
    i = j + 1;
  }
  return unit;
}

Status start_jobs_unit() {
  std::string unit(k_jobs_unit);
  if (run_quiet("systemctl", {"start", unit}) == 0) return {};
  // No unit file (a build tree): the same unit, made transient.
  int rc = run_quiet("systemd-run", {"--unit=" + unit, "--description=Jobs of cgfreeze, cgkill and cgstat",
                                     "-p", "Delegate=yes", "-p", "IgnoreOnIsolate=yes", "--quiet", "sleep",
                                     "infinity"});
  if (rc == 0) return {};
  return text_error("cannot start " + unit +
                        ", which holds root's jobs on this systemd host: install the package (or 'cmake --install', "
                        "then 'systemctl daemon-reload'), 'systemctl start " +
                        unit + "', or give --root",
                    "", ESRCH);
}

}  // namespace cgjob
