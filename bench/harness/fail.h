#pragma once
// The harness's own errors: a one-line message that unwinds to main, which
// cleans up and exits 1 (2 for a bad command line).

#include <cstring>
#include <stdexcept>
#include <string>

namespace cgbench {

[[noreturn]] inline void fail(const std::string& msg) { throw std::runtime_error(msg); }

inline std::string errno_text(int err) { return std::strerror(err); }

}  // namespace cgbench
