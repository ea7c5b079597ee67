// /proc/PID/cgroup (lib/parse/proc_cgroup.*, lib/cgroup/self_cgroup.*): its
// lines, the line of each hierarchy, and the directory it maps to in a mount
// whose root may be a sub-cgroup.
#include "lib/cgroup/self_cgroup.h"
#include "lib/base/text.h"
#include "lib/parse/proc_cgroup.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/support/fake_sys_io.h"

using namespace cgjob;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = as_text(data, size);
  auto selector = take_selector(text);
  for (const auto& line : parse_proc_cgroup(text)) {
    // Each field is a piece of the text, and no line holds more than the text.
    FUZZ_CHECK(line.id.size() + line.controllers.size() + line.path.size() + 2 <= text.size());
    FUZZ_CHECK(line.id.find('\n') == std::string_view::npos);
  }
  for (auto kind : {HierarchyKind::v1, HierarchyKind::v2}) {
    auto path = cgroup_line_path(text, kind);
    FUZZ_CHECK(path.size() <= text.size());
  }
  testing::FakeSysIo io;
  io.set_file("/proc/self/cgroup", std::string(text));
  CgroupMount mount{selector & 1 ? HierarchyKind::v1 : HierarchyKind::v2, "/cg/unified",
                    selector & 2 ? "/a/b" : "/"};
  auto dir = process_cgroup_dir(io, mount, 0);
  if (dir) {
    FUZZ_CHECK(path_within(*dir, mount.mountpoint));
    FUZZ_CHECK(!list_contains(*dir, "..", '/'));
  }
  auto common = common_ancestor(text, "/a/b/c");
  FUZZ_CHECK(common.size() <= text.size() || common == "/");
  return 0;
}
