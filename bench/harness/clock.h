#pragma once
// The monotonic clock every timing and every deadline of the harness uses.

namespace cgbench {

/// CLOCK_MONOTONIC in milliseconds.
double mono_ms();

/// Sleeps `ms`; a stop signal cuts it short.
void sleep_ms(double ms);

}  // namespace cgbench
