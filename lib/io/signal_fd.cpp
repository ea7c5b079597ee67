#include "lib/io/signal_fd.h"

#include <unistd.h>

#include <cerrno>

namespace cgjob {

Result<SignalFd> SignalFd::block(std::span<const int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  return block(set);
}

Result<SignalFd> SignalFd::block(const sigset_t& wanted) {
  SignalFd f;
  sigset_t set;
  sigemptyset(&set);
  for (int s = 1; s < NSIG; ++s) {
    if (sigismember(&wanted, s) != 1) continue;
    // Why: a blocked signal is never discarded as ignored (the handler may
    // change before it is unblocked), so blocking a SIG_IGN one would let it
    // through the fd.
    struct sigaction current {};
    if (::sigaction(s, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) continue;
    sigaddset(&set, s);
  }
  if (::sigprocmask(SIG_BLOCK, &set, &f.m_old_mask) < 0) return sys_error(errno, "sigprocmask");
  f.m_active = true;
  int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return sys_error(errno, "signalfd");
  f.m_fd.reset(fd);
  return f;
}

SignalFd::SignalFd(SignalFd&& other) noexcept
    : m_fd(std::move(other.m_fd)), m_old_mask(other.m_old_mask), m_active(other.m_active) {
  other.m_active = false;
}

SignalFd::~SignalFd() {
  m_fd.reset();
  if (m_active) ::sigprocmask(SIG_SETMASK, &m_old_mask, nullptr);
}

std::optional<signalfd_siginfo> SignalFd::take_info() {
  signalfd_siginfo info{};
  if (!m_fd.valid()) return std::nullopt;
  for (;;) {
    ssize_t n = ::read(m_fd.get(), &info, sizeof info);
    if (n == static_cast<ssize_t>(sizeof info)) return info;
    if (n < 0 && errno == EINTR) continue;
    return std::nullopt;
  }
}

int SignalFd::take() {
  auto info = take_info();
  return info ? static_cast<int>(info->ssi_signo) : 0;
}

}  // namespace cgjob
