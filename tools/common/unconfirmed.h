#pragma once
// The message for signals whose target could not be confirmed (kernels
// without pidfds, lib/signal/pinned_task.h).

#include <string>

#include "lib/signal/signaller.h"

namespace cgjob::cli {

/// Empty when every signal reached a process known to be the job's; else a
/// one-line warning naming the PIDs.
std::string unconfirmed_warning(const SignalReport& report);

}  // namespace cgjob::cli
