#pragma once
// Exit statuses of the three tools (their man pages, EXIT STATUS): with several JOBs every one is
// attempted and the highest status wins.

#include <algorithm>
#include <cerrno>

#include "lib/base/error.h"

namespace cgjob::cli {

enum class ExitStatus : int {
  ok = 0,
  failed = 1,      ///< the operation failed: kernel refused, permission, partial failure
  usage = 2,       ///< bad usage or bad input: invalid name, signal, PID, duration
  no_such_job = 3,
  timed_out = 124,
};

inline ExitStatus worst(ExitStatus a, ExitStatus b) {
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

/// 2 for bad input, 124 for a wait that reached the caller's --timeout
/// (ETIMEDOUT: another run held the job's lock), 1 for everything else.
inline ExitStatus status_for(const Error& e) {
  if (e.bad_input) return ExitStatus::usage;
  return e.errnum == ETIMEDOUT ? ExitStatus::timed_out : ExitStatus::failed;
}

/// For an error opening a JOB: 3 when it does not exist, else as status_for().
inline ExitStatus status_for_lookup(const Error& e) {
  if (e.errnum == ENOENT || e.errnum == ENOTDIR || e.errnum == ENODEV) return ExitStatus::no_such_job;
  return status_for(e);
}

}  // namespace cgjob::cli
