#pragma once
// Signals received through an fd instead of delivered: the one helper that
// blocks signals for a while and reads them (cgstat --watch's interrupts,
// cgfreeze run's forwarding, the SIGCHLD wait without pidfds).

#include <sys/signalfd.h>

#include <csignal>
#include <optional>
#include <span>

#include "lib/base/error.h"
#include "lib/base/unique_fd.h"

namespace cgjob {

/// Blocks `signals` on creation and receives them through a signalfd
/// (non-blocking, close-on-exec), so that none is lost and none ends the
/// process meanwhile. A signal whose disposition is SIG_IGN (nohup, a
/// non-interactive shell's background job) is left alone: it stays ignored,
/// as if we had never asked. The previous mask returns on destruction, and
/// a signal still pending is delivered then.
class SignalFd {
 public:
  static Result<SignalFd> block(std::span<const int> signals);
  static Result<SignalFd> block(const sigset_t& signals);
  SignalFd(SignalFd&& other) noexcept;
  SignalFd& operator=(SignalFd&&) = delete;
  ~SignalFd();

  /// Polls readable (POLLIN) once one of the signals is pending.
  int fd() const { return m_fd.get(); }
  /// The mask before block(): what a child started meanwhile should get back.
  const sigset_t& old_mask() const { return m_old_mask; }
  /// The first pending signal, consumed; std::nullopt when none (does not block).
  std::optional<signalfd_siginfo> take_info();
  /// Its number; 0 when none.
  int take();

 private:
  SignalFd() = default;
  UniqueFd m_fd;
  sigset_t m_old_mask{};
  bool m_active = false;
};

}  // namespace cgjob
