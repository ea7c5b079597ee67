#include "bench/harness/nursery.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

namespace cgbench {

Busy g_busy = Busy::idle_group;
int g_home_procs_fd = -1;  // <base>/nursery/cgroup.procs
int g_cpu_procs_fd = -1;   // <v1 cpu mount>/cgjobs-bench-<pid>/cgroup.procs (cpu.idle=1), or -1

namespace {

/// Closes every fd from 3 up except `keep`: a nursery must not hold other
/// nurseries' control pipes (their EOF would never come), nor a worker its own.
void close_except(std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned first = 3;
  for (int k : keep) {
    if (k < 3) continue;
    if (static_cast<unsigned>(k) > first) close_range(first, static_cast<unsigned>(k) - 1, 0);
    first = static_cast<unsigned>(k) + 1;
  }
  close_range(first, ~0U, 0);
}

/// Writes all of buf or _exits: for the nursery, whose only peer is the harness.
void nursery_write(int fd, const void* buf, size_t len) {
  const char* p = static_cast<const char*>(buf);
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(5);
    p += n;
    len -= static_cast<size_t>(n);
  }
}

}  // namespace

[[noreturn]] void nursery_main(pid_t harness, int ctl_rd, int rep_wr, const std::vector<int>& procs_fds,
                               Load load, int n_per_fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != harness) _exit(1);
  prctl(PR_SET_CHILD_SUBREAPER, 1);  // orphaned churn children come here, not to init
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGALRM, SIGPIPE, SIGCHLD}) sigaction(sig, &sa, nullptr);
  std::vector<int> keep{ctl_rd, rep_wr, g_home_procs_fd, g_cpu_procs_fd};
  keep.insert(keep.end(), procs_fds.begin(), procs_fds.end());
  close_except(keep);
  // Workers report on `ready`, then block until `go` closes: busy workers
  // must not compete with the nursery while it is still forking.
  int ready[2], go[2];
  if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) _exit(2);
  pid_t self = getpid();
  std::vector<pid_t> pids;
  // The workers inherit the idle cpu group from here (the v1 cpu hierarchy is
  // independent of the one under test).
  if (g_cpu_procs_fd >= 0 && load != Load::sleep && write(g_cpu_procs_fd, "0", 1) != 1) _exit(3);
  for (int procs_fd : procs_fds) {
    if (write(procs_fd, "0", 1) != 1) _exit(3);
    for (int i = 0; i < n_per_fd; ++i) {
      pid_t pid = fork();
      if (pid < 0) break;
      if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != self) _exit(1);
        close_except({ready[1], go[0]});
        if (g_busy == Busy::sched_idle && load != Load::sleep) {
          sched_param prm{};
          sched_setscheduler(0, SCHED_IDLE, &prm);
        }
        sa.sa_handler = worker_on_term;
        sigaction(SIGTERM, &sa, nullptr);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        char c = 'r';
        if (write(ready[1], &c, 1) != 1) _exit(4);
        close(ready[1]);
        while (read(go[0], &c, 1) < 0 && errno == EINTR) {
        }
        close(go[0]);
        worker_loop(load);
      }
      pids.push_back(pid);
    }
  }
  if (write(g_home_procs_fd, "0", 1) != 1) _exit(3);
  close(ready[1]);
  size_t got = 0;
  char buf[4096];
  for (;;) {
    ssize_t r = read(ready[0], buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
    if (got == pids.size()) break;
  }
  close(go[0]);
  close(go[1]);  // off they go
  int32_t count = got == pids.size() ? static_cast<int32_t>(pids.size()) : -1;
  nursery_write(rep_wr, &count, sizeof count);
  if (count > 0) nursery_write(rep_wr, pids.data(), pids.size() * sizeof(pid_t));
  close(rep_wr);
  // Block until the harness closes the control pipe (or dies: PDEATHSIG).
  while (read(ctl_rd, buf, sizeof buf) != 0) {
  }
  for (pid_t pid : pids) kill(pid, SIGKILL);  // our unreaped children
  while (waitpid(-1, nullptr, 0) > 0 || errno == EINTR) {
  }
  _exit(0);
}

}  // namespace cgbench
