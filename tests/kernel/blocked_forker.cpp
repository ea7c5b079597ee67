// A process that blocks SIGTERM, waits until one is pending, forks a child
// that execs `sleep 30` with SIGTERM unblocked, then unblocks SIGTERM and
// dies of it. dash does the same around every fork and vfork (it blocks all
// signals), and a SIGTERM to a job of shell loops could miss such a child:
// here it happens every time (kill_test.cpp).
#include <signal.h>
#include <unistd.h>

int main() {
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigprocmask(SIG_BLOCK, &term, nullptr);
  for (;;) {
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGTERM)) break;
    usleep(1000);
  }
  if (fork() == 0) {
    sigprocmask(SIG_UNBLOCK, &term, nullptr);
    execlp("sleep", "sleep", "30", static_cast<char*>(nullptr));
    _exit(127);
  }
  sigprocmask(SIG_UNBLOCK, &term, nullptr);
  return 1;
}
