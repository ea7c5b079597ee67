#pragma once
// How a run stops: SIGINT/SIGTERM/SIGHUP set a flag that every wait checks
// and that unwinds the run as Interrupted, so that it can remove what it
// made; SIGALRM marks the timeout of the measured command.

#include <csignal>

namespace cgbench {

extern volatile std::sig_atomic_t g_stop;   // SIGINT/SIGTERM/SIGHUP seen
extern volatile std::sig_atomic_t g_alarm;  // per-command timeout expired

struct Interrupted {};

/// Throws Interrupted once a stop signal has arrived.
void check_stop();

/// Sets the handlers of the stop signals and SIGALRM, without SA_RESTART so
/// that waits wake up; ignores SIGPIPE.
void install_stop_handlers();

}  // namespace cgbench
