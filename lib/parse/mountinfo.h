#pragma once
// /proc/PID/mountinfo: the cgroup mounts that can freeze. Where the tools act
// is decided from them in lib/cgroup/hierarchy.h.

#include <string>
#include <string_view>
#include <vector>

namespace cgjob {

enum class HierarchyKind { v1, v2 };

/// A cgroup mount that can freeze: cgroup2, or a cgroup v1 mount with the
/// freezer controller.
struct CgroupMount {
  HierarchyKind kind;
  std::string mountpoint;  ///< where it is mounted, octal escapes decoded
  std::string root;        ///< the cgroup mounted there ("/" unless a bind or namespace)
};

/// Every cgroup2 mount and v1 freezer mount listed in mountinfo `text`, in order.
std::vector<CgroupMount> parse_mountinfo(std::string_view text);

}  // namespace cgjob
