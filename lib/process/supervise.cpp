#include "lib/process/supervise.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/uapi.h"

namespace cgjob {

bool should_forward(const signalfd_siginfo& info, bool child_in_our_group) {
  return !(child_in_our_group && info.ssi_code == SI_KERNEL);
}

// A signal the caller ignores (nohup, a shell's background job) stays
// ignored, for us and for the child, as if COMMAND had been run directly:
// SignalFd leaves it alone.
Result<SignalForwarder> SignalForwarder::block(std::span<const int> signals) {
  auto blocked = SignalFd::block(signals);
  if (!blocked) return blocked.error();
  return SignalForwarder(std::move(*blocked));
}

Result<SignalForwarder> SignalForwarder::block(const sigset_t& signals) {
  auto blocked = SignalFd::block(signals);
  if (!blocked) return blocked.error();
  return SignalForwarder(std::move(*blocked));
}

SpawnOptions SignalForwarder::spawn_options(SpawnMode mode) const {
  SpawnOptions options;
  options.mode = mode;
  options.interrupt_fd = m_signals.fd();
  options.child_mask = &m_signals.old_mask();
  return options;
}

int SignalForwarder::take_signal() { return m_signals.take(); }

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
  std::optional<SignalFd> chld;
  if (!child.pidfd.valid()) {
    const int sigchld[] = {SIGCHLD};
    auto blocked = SignalFd::block(sigchld);
    if (blocked) chld.emplace(std::move(*blocked));
  }
  const int exit_fd = child.pidfd.valid() ? child.pidfd.get() : chld ? chld->fd() : -1;
  Status polled;
  while (exit_fd >= 0 && (child.pidfd.valid() || !child_exited(child.pid))) {
    pollfd fds[2] = {{exit_fd, POLLIN, 0}, {m_signals.fd(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      polled = sys_error(errno, "poll");
      break;
    }
    if (fds[1].revents & POLLIN) {
      while (auto info = m_signals.take_info()) {
        // Asked at each signal: the child may have left our process group.
        bool same_group = ::getpgid(child.pid) == ::getpgrp();
        if (!should_forward(*info, same_group)) continue;
        if (child.pidfd.valid()) {
          (void)uapi::pidfd_send_signal(child.pidfd.get(), static_cast<int>(info->ssi_signo));
        } else {
          (void)::kill(child.pid, static_cast<int>(info->ssi_signo));
        }
      }
    }
    if (fds[0].revents & POLLIN) {
      if (child.pidfd.valid()) break;
      while (chld->take_info()) {
      }
    }
  }
  // Unblocks SIGCHLD: one that came meanwhile is consumed with the wait below.
  chld.reset();
  if (!polled) return polled.error();
  return wait_exit_code(child);
}

}  // namespace cgjob
