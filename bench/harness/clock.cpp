#include "bench/harness/clock.h"

#include <time.h>

#include <cerrno>
#include <cmath>

#include "bench/harness/stop.h"

namespace cgbench {

double mono_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

void sleep_ms(double ms) {
  if (ms <= 0) return;
  timespec ts{static_cast<time_t>(ms / 1000), static_cast<long>(std::fmod(ms, 1000.0) * 1e6)};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !g_stop) {
  }
}

}  // namespace cgbench
