#include "bench/harness/stop.h"

#include <signal.h>

#include <initializer_list>

namespace cgbench {

volatile std::sig_atomic_t g_stop = 0;   // SIGINT/SIGTERM/SIGHUP seen
volatile std::sig_atomic_t g_alarm = 0;  // per-command timeout expired

namespace {

void on_stop_signal(int sig) { g_stop = sig; }
void on_alarm(int) { g_alarm = 1; }

}  // namespace

void check_stop() {
  if (g_stop) throw Interrupted{};
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

}  // namespace cgbench
