#pragma once
// Durations for --timeout and --escalate: seconds as a decimal ("0.5", "30"),
// optionally with a unit ("500ms", "2s", "1m", "1h").

#include <chrono>
#include <string_view>

#include "lib/base/error.h"

namespace cgjob::cli {

using Duration = std::chrono::nanoseconds;

/// Negative, empty, non-finite, unknown unit or beyond a year: bad_input.
Result<Duration> parse_duration(std::string_view text);

}  // namespace cgjob::cli
