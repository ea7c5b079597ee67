// /proc/self/mountinfo (lib/parse/mountinfo.*): octal escapes in mount points
// and roots, optional fields, truncated lines.
#include "lib/cgroup/hierarchy.h"
#include "lib/parse/mountinfo.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = as_text(data, size);
  auto mounts = cgjob::parse_mountinfo(text);
  for (const auto& m : mounts) {
    // Unescaping only ever shortens.
    FUZZ_CHECK(m.mountpoint.size() <= text.size());
    FUZZ_CHECK(m.root.size() <= text.size());
  }
  for (const auto& m : cgjob::parse_v1_mounts_with(text, "cpu")) FUZZ_CHECK(m.kind == cgjob::HierarchyKind::v1);
  (void)cgjob::parse_hierarchy_choice(text);
  return 0;
}
