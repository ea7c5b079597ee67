// Inputs found by reading and fuzzing the parsers (tests/fuzz): each case is
// one the harnesses' checks caught, kept here so it stays fixed.
#include <catch2/catch.hpp>

#include "lib/cgroup/self_cgroup.h"
#include "tests/support/fake_sys_io.h"

using namespace cgjob;
using namespace cgjob::testing;

TEST_CASE("a cgroup outside our cgroup namespace is not mapped into the mount", "[parsers]") {
  // /proc/PID/cgroup of a process outside the reader's cgroup namespace reads
  // "0::/../../x"; appended to the mountpoint that named a directory outside it.
  const CgroupMount mount{HierarchyKind::v2, "/cg/unified", "/"};
  for (const char* line : {"0::/../../x\n", "0::/a/../../x\n", "0::x\n", "0::..\n"}) {
    FakeSysIo io;
    io.set_file("/proc/self/cgroup", line);
    auto dir = process_cgroup_dir(io, mount, 0);
    INFO(line);
    REQUIRE_FALSE(dir);
    CHECK(dir.error().errnum == ENOENT);
  }
  FakeSysIo io;
  io.set_file("/proc/self/cgroup", "0::/a/..b\n");
  auto dir = process_cgroup_dir(io, mount, 0);
  REQUIRE(dir);
  CHECK(*dir == "/cg/unified/a/..b");
}

TEST_CASE("an empty path is within nothing, and has only / in common", "[parsers]") {
  // path_within read ancestor.back() of an empty ancestor.
  CHECK_FALSE(path_within("/a", ""));
  CHECK_FALSE(path_within("", ""));
  CHECK(common_ancestor("", "/a/b") == "/");
  CHECK(common_ancestor("/a/b", "") == "/");
  CHECK(common_ancestor("/a/b/c", "/a/b/d") == "/a/b");
}
