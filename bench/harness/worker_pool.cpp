#include "bench/harness/worker_pool.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "bench/harness/clock.h"
#include "bench/harness/fail.h"
#include "bench/harness/nursery.h"
#include "bench/harness/stop.h"
#include "lib/base/uapi.h"

namespace cgbench {

namespace {

struct Nursery {
  pid_t pid = -1;
  bool reported = false;      // false: still forking; killed rather than waited for
  int ctl = -1;               // write end; closing it = "kill, reap, exit"
  std::vector<pid_t> pids;    // its workers
  std::vector<int> pidfds;    // one per worker, opened while pinned
};

std::vector<Nursery> g_nurseries;

/// Closes a nursery's control pipe (it SIGKILLs and reaps its workers) and
/// reaps the nursery.
void finish_nursery(Nursery& n) {
  if (!n.reported) kill(n.pid, SIGKILL);  // our unreaped child; its workers follow (PDEATHSIG)
  for (int fd : n.pidfds) close(fd);
  n.pidfds.clear();
  if (n.ctl >= 0) close(n.ctl);
  n.ctl = -1;
  while (waitpid(n.pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

std::vector<pid_t> worker_pids() {
  std::vector<pid_t> v;
  for (const auto& nu : g_nurseries) v.insert(v.end(), nu.pids.begin(), nu.pids.end());
  return v;
}

/// Starts n_per_fd workers of `load` in each cgroup whose cgroup.procs is
/// open (for writing) at procs_fds; returns once all of them run there.
/// Workers exit on SIGTERM (handler) and die with their nursery, which dies
/// with the harness (PR_SET_PDEATHSIG).
void spawn_workers(const std::vector<int>& procs_fds, Load load, int n_per_fd) {
  int ctl[2], rep[2];
  if (pipe2(ctl, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) fail_sys(errno, "pipe");
  pid_t harness = getpid();
  pid_t pid = fork();
  if (pid < 0) fail_sys(errno, "fork");
  if (pid == 0) {
    close(ctl[1]);
    close(rep[0]);
    nursery_main(harness, ctl[0], rep[1], procs_fds, load, n_per_fd);
  }
  close(ctl[0]);
  close(rep[1]);
  Nursery nu;
  nu.pid = pid;
  nu.ctl = ctl[1];
  g_nurseries.push_back(nu);
  Nursery& n = g_nurseries.back();

  auto read_all = [&](void* buf, size_t len) {
    char* p = static_cast<char*>(buf);
    while (len > 0) {
      ssize_t r = read(rep[0], p, len);
      if (r < 0 && errno == EINTR) {
        if (g_stop) return false;
        continue;
      }
      if (r <= 0) return false;
      p += r;
      len -= static_cast<size_t>(r);
    }
    return true;
  };
  int32_t count = -1;
  bool ok = read_all(&count, sizeof count) && count >= 0;
  if (ok) {
    n.pids.resize(static_cast<size_t>(count));
    ok = read_all(n.pids.data(), n.pids.size() * sizeof(pid_t));
  }
  close(rep[0]);
  n.reported = ok;
  check_stop();
  if (!ok) fail("the nursery could not start " + std::to_string(procs_fds.size() * static_cast<size_t>(n_per_fd)) +
                " workers in their cgroups");
  for (pid_t w : n.pids) {
    int fd = cgjob::uapi::pidfd_open(w);  // pinned: the nursery has not reaped it
    if (fd < 0) fail_sys(errno, "pidfd_open", std::to_string(w));
    n.pidfds.push_back(fd);
  }
}

bool nurseries_running() { return !g_nurseries.empty(); }

/// Reaps processes that were orphaned to the harness (it is a subreaper),
/// e.g. the pkill of a peer script killed at its timeout; never a nursery.
void reap_orphans() {
  for (;;) {
    siginfo_t si{};
    if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0) return;
    for (const auto& n : g_nurseries)
      if (n.pid == si.si_pid) return;  // left for finish_nursery
    waitpid(si.si_pid, nullptr, 0);
  }
}

/// SIGKILLs every worker through its pidfd, thaws the given cgroups (a frozen
/// v1 task dies only once thawed), and lets the nurseries reap and exit.
void kill_workers(const Hier& h, const std::vector<std::string>& dirs) {
  // The pidfds are closed as soon as the signal is sent: after running out
  // of fds (the way a run aborts), the thaw below needs them to open files.
  for (auto& n : g_nurseries) {
    for (int fd : n.pidfds) {
      cgjob::uapi::pidfd_send_signal(fd, SIGKILL);
      close(fd);
    }
    n.pidfds.clear();
  }
  for (const auto& d : dirs) (void)h.set_frozen(d, false, 5000);
  for (auto& n : g_nurseries) finish_nursery(n);
  g_nurseries.clear();
}

/// After a measured command killed the workers: true, with the nurseries
/// finished, once every worker has exited (within timeout_ms); false (and
/// nothing changed) if one is still alive.
bool reap_dead_workers(double timeout_ms) {
  std::vector<pollfd> fds;
  for (const auto& n : g_nurseries)
    for (int fd : n.pidfds) fds.push_back(pollfd{fd, POLLIN, 0});
  double deadline = mono_ms() + timeout_ms;
  while (!fds.empty()) {
    int r = poll(fds.data(), fds.size(), static_cast<int>(std::max(0.0, deadline - mono_ms())));
    if (r < 0 && errno == EINTR) {
      check_stop();
      continue;
    }
    if (r <= 0) return false;
    std::erase_if(fds, [](const pollfd& p) { return p.revents != 0; });
  }
  for (auto& n : g_nurseries) finish_nursery(n);
  g_nurseries.clear();
  return true;
}

}  // namespace cgbench
