#include "kernel/defer_interrupts.h"

#include <initializer_list>

namespace cgjob {

sigset_t DeferInterrupts::signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&set, s);
  return set;
}

DeferInterrupts::DeferInterrupts() {
  sigset_t set = signals();
  m_active = ::sigprocmask(SIG_BLOCK, &set, &m_old) == 0;
}

bool DeferInterrupts::interrupted() const {
  sigset_t pending;
  if (!m_active || ::sigpending(&pending) < 0) return false;
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
    if (sigismember(&pending, s) == 1) return true;
  }
  return false;
}

DeferInterrupts::~DeferInterrupts() {
  if (m_active) ::sigprocmask(SIG_SETMASK, &m_old, nullptr);
}

}  // namespace cgjob
