#pragma once
// The one parser of flat keyed files: "key value" per line, such as
// cgroup.events ("populated 1\nfrozen 0\n") and the job lock file.

#include <string_view>

#include "lib/base/error.h"

namespace cgjob {

/// The value of `key`: the rest of the first line that starts with `key`
/// and a space. A missing key is an error (ENXIO, as systemd's
/// cg_get_keyed_attribute), never a default: a caller for which absence
/// means something says so itself. `file` names the file in the error.
Result<std::string_view> keyed_value(std::string_view text, std::string_view key,
                                     std::string_view file = {});

/// The same, as a decimal number (optional leading '-'); anything else in
/// the value is an error (EINVAL).
Result<long> keyed_number(std::string_view text, std::string_view key, std::string_view file = {});

}  // namespace cgjob
