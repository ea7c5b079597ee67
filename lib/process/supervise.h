#pragma once
// Waiting for a child while passing on the signals a user sends to us.

#include <sys/signalfd.h>

#include <span>

#include "lib/io/signal_fd.h"
#include "lib/process/spawn.h"

namespace cgjob {

/// Whether a signal we received should be passed on to the child. A signal
/// the kernel sent to a whole process group (a terminal's Ctrl-C, Ctrl-\,
/// hangup: si_code SI_KERNEL) already reached a child in our process group;
/// sending it again would deliver it twice. Signals from kill(2) or
/// sigqueue(3) (SI_USER, SI_QUEUE) were meant for us alone and are passed on.
bool should_forward(const signalfd_siginfo& info, bool child_in_our_group);

/// Blocks `signals` for this process and receives them through a signalfd
/// (lib/io/signal_fd.h), so that none is lost between spawning a child and
/// waiting for it. A signal the caller ignores (SIG_IGN) is left alone: it
/// stays ignored. The previous mask is restored on destruction;
/// spawn_options() hands it to the child, which restores it before exec.
class SignalForwarder {
 public:
  static Result<SignalForwarder> block(std::span<const int> signals);
  /// The same for a set, e.g. DeferInterrupts::signals(): the interrupts a
  /// terminal or a scheduler sends, one list for every tool.
  static Result<SignalForwarder> block(const sigset_t& signals);
  SignalForwarder(SignalForwarder&&) noexcept = default;
  SignalForwarder& operator=(SignalForwarder&&) = delete;

  /// Options for spawn_in_cgroup(): a signal ends the wait for the child's
  /// start, and the child gets the caller's mask back.
  SpawnOptions spawn_options(SpawnMode mode) const;
  /// Reads one received signal without waiting: its number, or 0 if none.
  int take_signal();

  /// Waits for `child` to exit, sending it each blocked signal we receive
  /// (through its pidfd) unless should_forward() says it already has it.
  /// Returns its exit code (128+N when killed by N).
  Result<int> wait_forwarding(const SpawnedProcess& child);

 private:
  explicit SignalForwarder(SignalFd signals) : m_signals(std::move(signals)) {}
  SignalFd m_signals;
};

}  // namespace cgjob
