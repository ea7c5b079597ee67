#pragma once
// Waiting for a child while passing on the signals a user sends to us.

#include <span>

#include "kernel/spawn.h"

namespace cgjob {

/// Blocks `signals` for this process and receives them through a signalfd,
/// so that none is lost between spawning a child and waiting for it. The
/// previous mask is restored on destruction. spawn_in_cgroup() clears the
/// child's mask, so the child still gets default handling.
class SignalForwarder {
 public:
  static Result<SignalForwarder> block(std::span<const int> signals);
  SignalForwarder(SignalForwarder&&) noexcept;
  SignalForwarder& operator=(SignalForwarder&&) = delete;
  ~SignalForwarder();

  /// Waits for `child` to exit, sending it each blocked signal we receive
  /// (through its pidfd). Returns its exit code (128+N when killed by N).
  Result<int> wait_forwarding(const SpawnedProcess& child);

 private:
  SignalForwarder() = default;
  UniqueFd m_signalfd;
  sigset_t m_old_mask{};
  bool m_active = false;
};

}  // namespace cgjob
