#pragma once
// The harness's own errors: a one-line message that unwinds to main, which
// cleans up and exits 1 (2 for a bad command line).

#include <stdexcept>
#include <string>
#include <utility>

#include "lib/base/error.h"

namespace cgbench {

[[noreturn]] inline void fail(const std::string& msg) { throw std::runtime_error(msg); }

/// fail() with the library's "op path: reason" for errno `err`.
[[noreturn]] inline void fail_sys(int err, std::string op, std::string path = {}) {
  fail(cgjob::sys_error(err, std::move(op), std::move(path)).message());
}

}  // namespace cgbench
