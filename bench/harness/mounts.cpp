#include "bench/harness/mounts.h"

#include "bench/harness/whole_file.h"
#include "lib/parse/mountinfo.h"

namespace cgbench {

std::string find_mount(int hier) {
  auto text = read_file("/proc/self/mountinfo");
  if (!text) return "";
  auto mounts = hier == k_cpu_hier ? cgjob::parse_v1_mounts_with(*text, "cpu") : cgjob::parse_mountinfo(*text);
  auto kind = hier == 2 ? cgjob::HierarchyKind::v2 : cgjob::HierarchyKind::v1;
  for (const auto& m : mounts)
    if (m.kind == kind && m.root == "/") return m.mountpoint;
  return "";
}

}  // namespace cgbench
