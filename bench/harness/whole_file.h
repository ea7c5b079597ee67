#pragma once
// Whole-file reads and writes of cgroupfs and /proc files, by path: the
// harness checks and resets state with plain syscalls, never through the
// library it measures.

#include <optional>
#include <string>
#include <string_view>

namespace cgbench {

/// Whole file, or nullopt with errno set.
std::optional<std::string> read_file(const std::string& path);

/// 0, or the errno of the failed open/write.
int write_file(const std::string& path, std::string_view text);

}  // namespace cgbench
