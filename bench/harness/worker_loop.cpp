#include "bench/harness/worker_loop.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace cgbench {

const char* load_name(Load l) {
  switch (l) {
    case Load::sleep: return "sleep";
    case Load::spin: return "spin";
    case Load::churn: return "churn";
  }
  return "?";
}

extern "C" void worker_on_term(int) { _exit(0); }

[[noreturn]] void worker_loop(Load load) {
  switch (load) {
    case Load::sleep:
      for (;;) pause();
    case Load::spin:
      for (;;) __asm__ volatile("" ::: "memory");
    case Load::churn:
      for (;;) {
        pid_t c = fork();
        if (c == 0) _exit(0);
        if (c > 0)
          while (waitpid(c, nullptr, 0) < 0 && errno == EINTR) {
          }
        else
          usleep(1000);  // EAGAIN: let the system breathe
      }
  }
  _exit(0);
}

}  // namespace cgbench
