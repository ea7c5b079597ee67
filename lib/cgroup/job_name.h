#pragma once
// JOB arguments, validated before any syscall: a job name can never reach
// outside the job root, and an absolute path never names the mount root.

#include <string>
#include <string_view>

#include "lib/base/error.h"

namespace cgjob {

/// A validated JOB argument.
struct JobName {
  std::string text;       ///< as the user wrote it (minus a trailing '/'): shown in messages
  std::string relative;   ///< path below the job root, or below the mount root if absolute
  bool absolute = false;  ///< named an existing cgroup by '/' path

  /// Relative names: components of 1-255 chars from [A-Za-z0-9_.:@+-], not
  /// starting with '.', not "cgroup.*" or "<controller>.*" or a v1 control file.
  /// Absolute ("/system.slice/x" or a full path inside `mount`): no empty, "."
  /// or ".." component, and never the mount root itself. Errors are bad_input.
  static Result<JobName> parse(std::string_view text, std::string_view mount);
};

/// Checks one relative component; empty Status when valid.
Status validate_job_component(std::string_view component);

/// Whether every '/'-separated component of `relative` is a valid job name
/// component. Listings show a cgroup below the job root only when this holds
/// for its path from there: other directory names are data nobody may
/// evaluate, and they cannot be named as JOBs anyway.
bool is_job_path(std::string_view relative);

}  // namespace cgjob
