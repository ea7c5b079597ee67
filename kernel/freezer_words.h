#pragma once
// The one parser of the v1 freezer's freezer.state ("THAWED", "FREEZING",
// "FROZEN"), shared by the v1 backend and job_status's batched reads.

#include <string_view>

#include "kernel/freezer.h"

namespace cgjob {

/// The state in the first word of a freezer.state read; thawed for anything else.
FreezeState parse_v1_state(std::string_view text);

}  // namespace cgjob
