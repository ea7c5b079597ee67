#include "tests/kernel/support.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

namespace cgjob::ktest {
namespace {

// Never destroyed: cleanup() runs from atexit, after function-local statics
// constructed later than its registration would already be gone.
std::vector<pid_t>& children() {
  static auto* pids = new std::vector<pid_t>;
  return *pids;
}

std::string& root_path() {
  static auto* path = new std::string;
  return *path;
}

std::vector<pid_t> pids_in(const std::vector<std::string>& dirs) {
  std::vector<pid_t> pids;
  for (const auto& d : dirs) {
    std::ifstream procs(d + "/cgroup.procs");
    for (pid_t pid; procs >> pid;) {
      if (pid > 0) pids.push_back(pid);
    }
  }
  return pids;
}

// Thaw everything below the root, kill our children and whatever they left
// inside our own cgroups (a shell's grandchildren), remove deepest first.
void cleanup() {
  namespace fs = std::filesystem;
  const std::string& root = root_path();
  std::vector<std::string> dirs;
  std::error_code ec;
  if (!root.empty() && fs::exists(root, ec)) {
    dirs.push_back(root);
    for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator(); ++it) {
      if (it->is_directory(ec)) dirs.push_back(it->path());
    }
    for (const auto& d : dirs) {
      std::ofstream(d + "/cgroup.freeze") << "0";
      std::ofstream(d + "/freezer.state") << "THAWED";
    }
  }
  for (pid_t pid : children()) {
    ::kill(-pid, SIGKILL);  // its process group: what a shell forked outside our cgroups
    ::kill(pid, SIGKILL);
  }
  for (pid_t pid : children()) ::waitpid(pid, nullptr, 0);
  for (int round = 0; round < 200; ++round) {
    auto left = pids_in(dirs);
    if (left.empty()) break;
    for (pid_t pid : left) ::kill(pid, SIGKILL);
    ::usleep(5000);
  }
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    for (int i = 0; i < 200 && ::rmdir(it->c_str()) < 0 && errno == EBUSY; ++i) ::usleep(5000);
  }
}

}  // namespace

JobRoot& job_root() {
  static std::unique_ptr<JobRoot> root;
  if (!root) {
    const char* h = std::getenv("CGJOB_TEST_HIERARCHY");
    LayoutRequest request;
    request.choice = h && std::string(h) == "v1" ? HierarchyChoice::v1 : HierarchyChoice::v2;
    auto layout = discover_layout(real_sys_io(), request);
    if (!layout) throw std::runtime_error(layout.error().message());
    layout->root = join_path(layout->mount, "cgjobs-ktest-" + std::to_string(::getpid()));
    root_path() = layout->root;
    std::atexit(cleanup);
    root = std::make_unique<JobRoot>(real_sys_io(), *layout);
  }
  return *root;
}

std::string unique_job(const std::string& stem) {
  static int counter = 0;
  return stem + "-" + std::to_string(++counter);
}

pid_t start_shell(const std::string& script) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    int null_fd = ::open("/dev/null", O_RDWR);
    for (int fd = 0; fd <= 2; ++fd) ::dup2(null_fd, fd);
    ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: no race with the child's own call
  children().push_back(pid);
  return pid;
}

void track_child(pid_t pid) { children().push_back(pid); }

void stop_child(pid_t pid) {
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  std::erase(children(), pid);
}

int time_scale() {
  const char* text = std::getenv("CGJOB_TEST_TIME_SCALE");
  int scale = text ? std::atoi(text) : 1;
  return scale > 0 ? scale : 1;
}

Deadline within(Clock::duration limit) { return Deadline::after(real_sys_io(), limit * time_scale()); }

}  // namespace cgjob::ktest
