#pragma once
// /proc/PID/cgroup: one line a hierarchy, "ID:CONTROLLERS:PATH" ("0::/x" for
// cgroup2). Which line belongs to which hierarchy is decided in
// lib/cgroup/self_cgroup.h.

#include <string_view>
#include <vector>

namespace cgjob {

/// One line of /proc/PID/cgroup, pointing into the text it was parsed from.
struct ProcCgroupLine {
  std::string_view id;           ///< hierarchy ID ("0" for cgroup2)
  std::string_view controllers;  ///< comma-separated, empty for cgroup2
  std::string_view path;         ///< the cgroup, relative to the hierarchy root
};

/// The lines of `text` that have two colons, in order; the path is all after
/// the second colon. Other lines are passed over.
std::vector<ProcCgroupLine> parse_proc_cgroup(std::string_view text);

}  // namespace cgjob
