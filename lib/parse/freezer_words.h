#pragma once
// The backends' parsers of the freezer's files, one for each format.

#include <string_view>

namespace cgjob {

enum class FreezeState { thawed, freezing, frozen };

/// The state in the first word of v1's freezer.state ("THAWED", "FREEZING",
/// "FROZEN"); thawed for anything else.
FreezeState parse_v1_state(std::string_view text);

/// A request flag: cgroup.freeze (v2), freezer.self_freezing and
/// freezer.parent_freezing (v1) read "1" when set, "0" when not.
inline bool parse_flag(std::string_view text) { return !text.empty() && text.front() == '1'; }

}  // namespace cgjob
