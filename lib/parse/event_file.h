#pragma once
// Parsing of flat keyed files such as cgroup.events ("populated 1\nfrozen 0\n").

#include <string_view>

namespace cgjob {

/// The integer value of `key` in a "key value" per line file, or -1 if absent.
long event_value(std::string_view text, std::string_view key);

}  // namespace cgjob
