#pragma once
// Holding back the signals that end a tool from a terminal or a scheduler.

#include <signal.h>

namespace cgjob {

/// While it lives, SIGINT, SIGTERM, SIGHUP and SIGQUIT stay pending instead
/// of ending the process: a job that a tool holds in a state nobody asked for
/// (cgkill's freeze) is put back first. On destruction the previous mask
/// returns, and a signal that came meanwhile is delivered then (and, with
/// its default action, ends the process as it would have).
class DeferInterrupts {
 public:
  DeferInterrupts();
  ~DeferInterrupts();
  DeferInterrupts(const DeferInterrupts&) = delete;
  DeferInterrupts& operator=(const DeferInterrupts&) = delete;

  /// Whether one of them has come meanwhile (and waits to be delivered):
  /// the caller should put things back and return soon.
  bool interrupted() const;

  /// The signals held back, for anyone else who must block the same set.
  static sigset_t signals();

 private:
  sigset_t m_old{};
  bool m_active = false;
};

}  // namespace cgjob
