#pragma once
// /proc/PID/mountinfo: the cgroup mounts that can freeze. Where the tools act
// is decided from them in lib/cgroup/hierarchy.h.

#include <string>
#include <string_view>
#include <vector>

namespace cgjob {

enum class HierarchyKind { v1, v2 };

/// A cgroup mount: cgroup2, or a cgroup v1 mount with the controller asked
/// for (the freezer, for parse_mountinfo).
struct CgroupMount {
  HierarchyKind kind;
  std::string mountpoint;  ///< where it is mounted, octal escapes decoded
  std::string root;        ///< the cgroup mounted there ("/" unless a bind or namespace)
};

/// Every cgroup2 mount and v1 freezer mount listed in mountinfo `text`, in order.
std::vector<CgroupMount> parse_mountinfo(std::string_view text);

/// Every cgroup v1 mount in `text` whose controllers include `controller`
/// ("cpu" matches "rw,cpu", not "rw,cpuacct"), in order. For the bench,
/// which keeps its busy workers in a v1 cpu cgroup.
std::vector<CgroupMount> parse_v1_mounts_with(std::string_view text, std::string_view controller);

}  // namespace cgjob
