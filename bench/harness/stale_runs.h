#pragma once
// Cleaning up after a harness that was SIGKILLed.

namespace cgbench {

/// Removes cgjobs-bench-<pid> trees left by a harness that was SIGKILLed:
/// only trees whose <pid> is no longer a running cgbench. The processes in
/// them were started by that harness; they are killed by PID after a thaw.
int clean_stale();

}  // namespace cgbench
