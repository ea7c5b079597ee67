#pragma once
// Handing the run over to another program (the node fan-out of -w/--nodes):
// the running program's own path, and execv(2).

#include <string>
#include <vector>

#include "lib/base/error.h"

namespace cgjob {

/// The absolute path of the running program (/proc/self/exe). Errors carry
/// errno (ENOENT without /proc).
Result<std::string> running_program();

/// Replaces this process with `path`, its argv[0] `path` and then `args`.
/// Returns only on failure (the errno of execv).
Error exec_program(const std::string& path, const std::vector<std::string>& args);

}  // namespace cgjob
