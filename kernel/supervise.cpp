#include "kernel/supervise.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "kernel/uapi.h"

namespace cgjob {

bool should_forward(const signalfd_siginfo& info, bool child_in_our_group) {
  return !(child_in_our_group && info.ssi_code == SI_KERNEL);
}

Result<SignalForwarder> SignalForwarder::block(std::span<const int> signals) {
  SignalForwarder f;
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) {
    // A signal the caller ignores (nohup, a shell's background job) stays
    // ignored, for us and for the child, as if COMMAND had been run directly.
    struct sigaction current {};
    if (::sigaction(s, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) continue;
    sigaddset(&set, s);
  }
  if (::sigprocmask(SIG_BLOCK, &set, &f.m_old_mask) < 0) return sys_error(errno, "sigprocmask");
  f.m_active = true;
  int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return sys_error(errno, "signalfd");
  f.m_signalfd.reset(fd);
  return f;
}

SignalForwarder::SignalForwarder(SignalForwarder&& other) noexcept
    : m_signalfd(std::move(other.m_signalfd)), m_old_mask(other.m_old_mask), m_active(other.m_active) {
  other.m_active = false;
}

SignalForwarder::~SignalForwarder() {
  if (m_active) ::sigprocmask(SIG_SETMASK, &m_old_mask, nullptr);
}

SpawnOptions SignalForwarder::spawn_options(SpawnMode mode) const {
  SpawnOptions options;
  options.mode = mode;
  options.interrupt_fd = m_signalfd.get();
  options.child_mask = &m_old_mask;
  return options;
}

int SignalForwarder::take_signal() {
  signalfd_siginfo info{};
  if (::read(m_signalfd.get(), &info, sizeof info) != static_cast<ssize_t>(sizeof info)) return 0;
  return static_cast<int>(info.ssi_signo);
}

Result<int> SignalForwarder::wait_forwarding(const SpawnedProcess& child) {
  if (child.pidfd.valid()) {
    for (;;) {
      pollfd fds[2] = {{child.pidfd.get(), POLLIN, 0}, {m_signalfd.get(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return sys_error(errno, "poll");
      }
      if (fds[1].revents & POLLIN) {
        signalfd_siginfo info{};
        while (::read(m_signalfd.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
          // Asked at each signal: the child may have left our process group.
          bool same_group = ::getpgid(child.pid) == ::getpgrp();
          if (should_forward(info, same_group)) {
            (void)uapi::pidfd_send_signal(child.pidfd.get(), static_cast<int>(info.ssi_signo));
          }
        }
      }
      if (fds[0].revents & POLLIN) break;
    }
  }
  return wait_exit_code(child);
}

}  // namespace cgjob
