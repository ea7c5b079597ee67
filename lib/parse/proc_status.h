#pragma once
// /proc/PID/status: the signal masks. Read through lib/io/task_info.h.

#include <cstdint>
#include <string_view>

#include "lib/base/error.h"

namespace cgjob {

/// The signal mask after `key` (e.g. "SigBlk:") in a /proc/PID/status text.
Result<std::uint64_t> parse_status_mask(std::string_view status, std::string_view key);

}  // namespace cgjob
