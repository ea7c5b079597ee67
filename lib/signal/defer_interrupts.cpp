#include "lib/signal/defer_interrupts.h"

#include <initializer_list>

namespace cgjob {
namespace {

constexpr int k_interrupts[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
constexpr int k_stops[] = {SIGTSTP, SIGTTIN, SIGTTOU};

// The signals of `list` that the caller did not ignore. Why not the ignored
// ones: Linux queues a blocked signal even where it is ignored
// (the action may change before it is unblocked), so a held-back SIG_IGN
// would read as pending, and a tool started by nohup or a script's `&`
// would take it for an interrupt.
template <std::size_t N>
sigset_t not_ignored(const int (&list)[N]) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : list) {
    struct sigaction now {};
    if (::sigaction(s, nullptr, &now) == 0 && now.sa_handler != SIG_IGN) sigaddset(&set, s);
  }
  return set;
}

sigset_t either(const sigset_t& a, const sigset_t& b) {
  sigset_t set;
  sigemptyset(&set);
  for (int s = 1; s < NSIG; ++s) {
    if (sigismember(&a, s) == 1 || sigismember(&b, s) == 1) sigaddset(&set, s);
  }
  return set;
}

}  // namespace

sigset_t DeferInterrupts::signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : k_interrupts) sigaddset(&set, s);
  return set;
}

DeferInterrupts::DeferInterrupts()
    : m_interrupts(not_ignored(k_interrupts)), m_stops(not_ignored(k_stops)) {
  sigset_t set = either(m_interrupts, m_stops);
  m_active = ::sigprocmask(SIG_BLOCK, &set, &m_old) == 0;
}

bool DeferInterrupts::pending_in(const sigset_t& held) const {
  sigset_t pending;
  if (!m_active || ::sigpending(&pending) < 0) return false;
  for (int s = 1; s < NSIG; ++s) {
    if (sigismember(&held, s) == 1 && sigismember(&pending, s) == 1) return true;
  }
  return false;
}

bool DeferInterrupts::interrupted() const { return pending_in(m_interrupts); }

bool DeferInterrupts::stop_requested() const { return pending_in(m_stops); }

void DeferInterrupts::stop_here() {
  if (!m_active) return;
  // Unblocking delivers the pending stop: the kernel stops us on the way out
  // of this call, and we return from it after SIGCONT.
  (void)::sigprocmask(SIG_UNBLOCK, &m_stops, nullptr);
  (void)::sigprocmask(SIG_BLOCK, &m_stops, nullptr);
}

DeferInterrupts::~DeferInterrupts() {
  if (m_active) ::sigprocmask(SIG_SETMASK, &m_old, nullptr);
}

}  // namespace cgjob
