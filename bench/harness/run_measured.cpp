#include "bench/harness/run_measured.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "bench/harness/clock.h"
#include "bench/harness/stop.h"
#include "bench/harness/text_format.h"

extern char **environ;

namespace cgbench {

namespace {

double timeval_ms(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) * 1e3 + static_cast<double>(tv.tv_usec) / 1e3;
}

}  // namespace

Sample run_measured(const std::vector<std::string>& argv, Capture& cap, double timeout_s,
                    std::string* out_text) {
  Sample s;
  cap.reset();
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, cap.out, 1);
  posix_spawn_file_actions_adddup2(&fa, cap.err, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, dfl;
  sigemptyset(&none);
  sigemptyset(&dfl);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGALRM, SIGPIPE, SIGCHLD}) sigaddset(&dfl, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &dfl);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETPGROUP);

  itimerval it{};
  it.it_value.tv_sec = static_cast<time_t>(timeout_s);
  it.it_value.tv_usec = static_cast<suseconds_t>(std::fmod(timeout_s, 1.0) * 1e6);
  g_alarm = 0;

  pid_t pid = -1;
  double t0 = mono_ms();
  int rc = posix_spawn(&pid, cargv[0], &fa, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    s.note = cgjob::sys_error(rc, "spawn", argv[0]).message();
    return s;
  }
  setitimer(ITIMER_REAL, &it, nullptr);
  int status = 0;
  rusage ru{};
  bool killed = false;
  for (;;) {
    pid_t r = wait4(pid, &status, 0, &ru);
    if (r == pid) break;
    if (r < 0 && errno == EINTR) {
      if ((g_stop || g_alarm) && !killed) {
        // The child's own process group, pinned while the child is unreaped:
        // a peer script's pkill or sleep goes with it.
        kill(-pid, SIGKILL);
        killed = true;
      }
      continue;
    }
    fail_sys(errno, "wait4");
  }
  double t1 = mono_ms();
  itimerval off{};
  setitimer(ITIMER_REAL, &off, nullptr);
  check_stop();

  s.wall = t1 - t0;
  s.cpu = timeval_ms(ru.ru_utime) + timeval_ms(ru.ru_stime);
  std::string out = Capture::slurp(cap.out);
  if (out_text) *out_text = out;
  if (killed) {
    s.note = "timed out after " + fmt(timeout_s, 0) + " s";
  } else if (WIFSIGNALED(status)) {
    s.note = std::string("killed by ") + strsignal(WTERMSIG(status));
  } else if (WEXITSTATUS(status) != 0) {
    std::string err = trim(Capture::slurp(cap.err));
    auto nl = err.find('\n');
    if (nl != std::string::npos) err = err.substr(0, nl);
    if (err.size() > 160) err = err.substr(0, 160) + "…";
    s.note = "exit " + std::to_string(WEXITSTATUS(status)) + (err.empty() ? "" : ": " + err);
  } else {
    s.ok = true;
  }
  return s;
}

}  // namespace cgbench
