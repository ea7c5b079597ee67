// kernel/hierarchy_traits.h: each per-hierarchy question, answered by the
// table that comes with the freezer backend, against the fake kernel.

#include <catch2/catch.hpp>

#include "kernel/freezer.h"
#include "tests/support/fake_sys_io.h"

using namespace cgjob;
using namespace cgjob::testing;

TEST_CASE("each backend comes with its hierarchy's table, the one hierarchy_traits() gives", "[traits]") {
  FakeSysIo io;
  for (auto kind : {HierarchyKind::v1, HierarchyKind::v2}) {
    auto freezer = make_freezer(io, kind);
    CHECK(&freezer->traits() == &hierarchy_traits(kind));
    CHECK(freezer->traits().kind == kind);
  }
}

TEST_CASE("a child is born straight into the job only on cgroup2 (CLONE_INTO_CGROUP)", "[traits][spawn]") {
  CHECK(hierarchy_traits(HierarchyKind::v2).clone_into_cgroup);
  CHECK_FALSE(hierarchy_traits(HierarchyKind::v1).clone_into_cgroup);
}
