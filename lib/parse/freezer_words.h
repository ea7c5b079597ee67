#pragma once
// The backends' parsers of the freezer's files, one for each format.

#include <string_view>

#include "lib/base/error.h"

namespace cgjob {

enum class FreezeState { thawed, freezing, frozen };

/// The state v1's freezer.state holds: "THAWED", "FREEZING" or "FROZEN",
/// with or without its newline. Anything else is an error (EINVAL), never
/// THAWED; `file` names the file in the error.
Result<FreezeState> parse_v1_state(std::string_view text, std::string_view file = {});

/// A request flag: cgroup.freeze (v2), freezer.self_freezing and
/// freezer.parent_freezing (v1) read "1" when set, "0" when not.
inline bool parse_flag(std::string_view text) { return !text.empty() && text.front() == '1'; }

}  // namespace cgjob
