#pragma once
// A cgfreeze command context against the fake kernel: a v1 freezer mount
// with its job root, a quiet reporter, and processes put in /proc.

#include <string>

#include "tests/unit/fake_kernel.h"
#include "tools/cgfreeze/commands.h"

namespace cgjob::testing {

inline const std::string k_cgfreeze_mount = "/cg/freezer";
inline const std::string k_cgfreeze_root = "/cg/freezer/cgjobs";

struct CgfreezeFixture {
  FakeSysIo io;
  JobRoot root{io, Layout{HierarchyKind::v1, k_cgfreeze_mount, k_cgfreeze_root}};
  cli::Reporter reporter{"cgfreeze"};
  cgfreeze::Context ctx{root, reporter};
  CgfreezeFixture() {
    reporter.set_quiet(true);
    io.add_v1_cgroup(k_cgfreeze_mount);
    io.add_v1_cgroup(k_cgfreeze_root);
  }
  /// A process `pid` (comm "worker") with `flags` and parent `ppid`.
  void add_task(pid_t pid, unsigned long flags = 0, pid_t ppid = 1) {
    io.add_process(pid);
    io.set_file("/proc/" + std::to_string(pid) + "/stat",
                std::to_string(pid) + " (worker) S " + std::to_string(ppid) + " 1 1 0 -1 " +
                    std::to_string(flags) + " 0 0 0 0");
  }
};

}  // namespace cgjob::testing
