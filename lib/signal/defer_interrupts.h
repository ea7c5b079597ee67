#pragma once
// Holding back the signals that end or stop a tool from a terminal or a
// scheduler, while it holds a job in a state nobody asked for.

#include <signal.h>

namespace cgjob {

/// While it lives, SIGINT, SIGTERM, SIGHUP and SIGQUIT stay pending instead
/// of ending the process, and so do SIGTSTP, SIGTTIN and SIGTTOU instead of
/// stopping it: the holder puts the job back first. A signal the caller left
/// ignored (nohup, a script's background job) is not held back and not an
/// interrupt: it stays ignored, and the tool carries on as asked.
/// On destruction the previous mask returns, and a signal that came
/// meanwhile is delivered then (with its default action it ends the process
/// as it would have).
class DeferInterrupts {
 public:
  DeferInterrupts();
  ~DeferInterrupts();
  DeferInterrupts(const DeferInterrupts&) = delete;
  DeferInterrupts& operator=(const DeferInterrupts&) = delete;

  /// Whether an interrupt has come meanwhile (and waits to be delivered):
  /// the caller should put things back and return soon.
  bool interrupted() const;

  /// Whether a stop (SIGTSTP, SIGTTIN, SIGTTOU) has come meanwhile: the
  /// caller should put things back and call stop_here().
  bool stop_requested() const;

  /// Lets the pending stop take effect: the process stops here and this
  /// returns after SIGCONT, with the stops held back again. (In an orphaned
  /// process group the kernel discards them and this returns at once.)
  void stop_here();

  /// The interrupts, for anyone else who must block the same set.
  static sigset_t signals();

 private:
  bool pending_in(const sigset_t& held) const;

  sigset_t m_old{};
  sigset_t m_interrupts{};  ///< held back: the interrupts the caller did not ignore
  sigset_t m_stops{};       ///< held back: the stops the caller did not ignore
  bool m_active = false;
};

}  // namespace cgjob
