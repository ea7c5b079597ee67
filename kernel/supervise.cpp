#include "kernel/supervise.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "kernel/uapi.h"

namespace cgjob {

bool should_forward(const signalfd_siginfo& info, bool child_in_our_group) {
  return !(child_in_our_group && info.ssi_code == SI_KERNEL);
}

Result<SignalForwarder> SignalForwarder::block(std::span<const int> signals) {
  sigset_t wanted;
  sigemptyset(&wanted);
  for (int s : signals) sigaddset(&wanted, s);
  return block(wanted);
}

Result<SignalForwarder> SignalForwarder::block(const sigset_t& wanted) {
  SignalForwarder f;
  sigset_t set;
  sigemptyset(&set);
  for (int s = 1; s < NSIG; ++s) {
    if (sigismember(&wanted, s) != 1) continue;
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

namespace {

// Whether our child `pid` has exited, without reaping it.
bool child_exited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

}  // namespace

Result<int> SignalForwarder::wait_forwarding(const SpawnedProcess& child) {
  // With a pidfd its exit wakes the poll. Without (before 5.3), SIGCHLD
  // does, through a signalfd of its own; the child is ours and unreaped, so
  // kill(2) of its PID cannot reach another process.
  UniqueFd chld_fd;
  sigset_t chld, before;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  bool chld_blocked = false;
  if (!child.pidfd.valid() && ::sigprocmask(SIG_BLOCK, &chld, &before) == 0) {
    chld_blocked = true;
    chld_fd.reset(::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
  }
  const int exit_fd = child.pidfd.valid() ? child.pidfd.get() : chld_fd.get();
  Status polled;
  while (exit_fd >= 0 && (child.pidfd.valid() || !child_exited(child.pid))) {
    pollfd fds[2] = {{exit_fd, POLLIN, 0}, {m_signalfd.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      polled = sys_error(errno, "poll");
      break;
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info{};
      while (::read(m_signalfd.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        // Asked at each signal: the child may have left our process group.
        bool same_group = ::getpgid(child.pid) == ::getpgrp();
        if (!should_forward(info, same_group)) continue;
        if (child.pidfd.valid()) {
          (void)uapi::pidfd_send_signal(child.pidfd.get(), static_cast<int>(info.ssi_signo));
        } else {
          (void)::kill(child.pid, static_cast<int>(info.ssi_signo));
        }
      }
    }
    if (fds[0].revents & POLLIN) {
      if (child.pidfd.valid()) break;
      signalfd_siginfo drained{};
      while (::read(exit_fd, &drained, sizeof drained) > 0) {
      }
    }
  }
  chld_fd.reset();
  if (chld_blocked) {
    // A SIGCHLD that came meanwhile is consumed with the wait below.
    ::sigprocmask(SIG_SETMASK, &before, nullptr);
  }
  if (!polled) return polled.error();
  return wait_exit_code(child);
}

}  // namespace cgjob
