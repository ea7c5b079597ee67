#pragma once
// The harness's view of a cgroup's freezer and populated state, read and
// written as raw files: what verifies a measured command and what resets a
// job between samples.

#include <string>

namespace cgbench {

/// The harness's own view of a hierarchy: resets between repetitions and the
/// checks that verify what a measured command promised.
struct Hier {
  int v = 2;
  std::string mount;

  std::string name() const { return v == 2 ? "v2" : "v1"; }

  /// The job's freezer says FROZEN (v2: cgroup.events has "frozen 1").
  bool frozen(const std::string& dir) const;
  /// Not asked to freeze, and not frozen.
  bool thawed(const std::string& dir) const;
  /// No process left (v2: "populated 0"; v1: an empty cgroup.procs).
  bool empty(const std::string& dir) const;
  /// Requests freeze/thaw and waits (re-reading every ms) up to timeout_ms.
  bool set_frozen(const std::string& dir, bool on, double timeout_ms = 30000) const;
  /// Waits (re-reading every ms) up to timeout_ms for empty().
  bool wait_empty(const std::string& dir, double timeout_ms) const;
};

}  // namespace cgbench
