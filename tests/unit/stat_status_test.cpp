// lib/job/job_status against the fake kernel: what cgstat reads about a job,
// that each control file is read once, and the v2 rule that a job frozen by
// an ancestor did not ask for it itself.

#include <catch2/catch.hpp>

#include "lib/job/job_status.h"
#include "tests/support/fake_sys_io.h"

using namespace cgjob;
using namespace cgjob::testing;

namespace {

const std::string k_v2_mount = "/cg/unified";
const std::string k_v2_root = "/cg/unified/cgjobs";
const std::string k_v1_mount = "/cg/freezer";
const std::string k_v1_root = "/cg/freezer/cgjobs";

// The mount root of cgroup2 has no cgroup.freeze (nor cgroup.events).
void add_v2_mount(FakeSysIo& io) {
  io.add_v2_cgroup(k_v2_mount);
  io.remove(k_v2_mount + "/cgroup.freeze");
  io.remove(k_v2_mount + "/cgroup.events");
  io.add_v2_cgroup(k_v2_root);
}

void set_v2(FakeSysIo& io, const std::string& cg, bool freeze, bool frozen, bool populated, std::string procs = "") {
  io.set_file(cg + "/cgroup.freeze", freeze ? "1\n" : "0\n");
  io.set_file(cg + "/cgroup.events",
              std::string("populated ") + (populated ? "1" : "0") + "\nfrozen " + (frozen ? "1" : "0") + "\n");
  io.set_file(cg + "/cgroup.procs", std::move(procs));
}

void set_v1(FakeSysIo& io, const std::string& cg, const std::string& state, bool self, bool parent,
            std::string procs = "") {
  io.set_file(cg + "/freezer.state", state + "\n");
  io.set_file(cg + "/freezer.self_freezing", self ? "1\n" : "0\n");
  io.set_file(cg + "/freezer.parent_freezing", parent ? "1\n" : "0\n");
  io.set_file(cg + "/cgroup.procs", std::move(procs));
}

const StatusEntry* find(const std::vector<StatusEntry>& entries, const std::string& path) {
  for (const auto& e : entries) {
    if (e.path == path) return &e;
  }
  return nullptr;
}

std::vector<std::string> paths(const std::vector<StatusEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.path);
  return out;
}

}  // namespace

TEST_CASE("v2: a job frozen by its parent is FROZEN, parent_freezing, not self_freezing", "[stat][status]") {
  FakeSysIo io;
  add_v2_mount(io);
  const std::string a = k_v2_root + "/a", b = a + "/b", c = b + "/c";
  io.add_v2_cgroup(a);
  io.add_v2_cgroup(b);
  io.add_v2_cgroup(c);
  set_v2(io, a, true, true, true, "10\n");
  set_v2(io, b, false, true, true, "11\n12\n");
  set_v2(io, c, false, true, false);
  StatusReader reader(io, HierarchyKind::v2, k_v2_mount);
  auto root = Cgroup::open(io, k_v2_root);
  REQUIRE(root);
  std::vector<StatusEntry> out;
  std::vector<Error> problems;
  REQUIRE(reader.walk(*root, true, false, out, problems));
  CHECK(problems.empty());
  REQUIRE(paths(out) == std::vector<std::string>{a, b, c});

  CHECK(out[0].status.state == FreezeState::frozen);
  CHECK(out[0].status.self_freezing);
  CHECK_FALSE(out[0].status.parent_freezing);
  CHECK(out[0].status.pids == std::vector<pid_t>{10});

  CHECK(out[1].status.state == FreezeState::frozen);
  CHECK_FALSE(out[1].status.self_freezing);
  CHECK(out[1].status.parent_freezing);
  CHECK(out[1].status.pids == std::vector<pid_t>{11, 12});
  CHECK(out[1].parent == 0);
  CHECK(out[1].depth == 2);

  CHECK(out[2].status.state == FreezeState::frozen);
  CHECK(out[2].status.parent_freezing);
  CHECK_FALSE(out[2].status.populated);
  CHECK(out[2].parent == 1);
}

TEST_CASE("v2: requested here or above but frozen 0 is FREEZING; nothing requested is THAWED", "[stat][status]") {
  FakeSysIo io;
  add_v2_mount(io);
  const std::string a = k_v2_root + "/a", b = a + "/b", d = k_v2_root + "/d";
  io.add_v2_cgroup(a);
  io.add_v2_cgroup(b);
  io.add_v2_cgroup(d);
  set_v2(io, a, true, false, true, "10\n");
  set_v2(io, b, false, false, true, "11\n");
  set_v2(io, d, false, false, false);
  StatusReader reader(io, HierarchyKind::v2, k_v2_mount);
  auto root = Cgroup::open(io, k_v2_root);
  std::vector<StatusEntry> out;
  std::vector<Error> problems;
  REQUIRE(reader.walk(*root, true, false, out, problems));
  REQUIRE(out.size() == 3);
  CHECK(find(out, a)->status.state == FreezeState::freezing);
  CHECK(find(out, b)->status.state == FreezeState::freezing);
  CHECK(find(out, b)->status.parent_freezing);
  CHECK(find(out, d)->status.state == FreezeState::thawed);
  CHECK_FALSE(find(out, d)->status.parent_freezing);
}

TEST_CASE("v2: a named job sees the requests of ancestors above the job root", "[stat][status]") {
  FakeSysIo io;
  add_v2_mount(io);
  const std::string a = k_v2_root + "/a", b = a + "/b";
  io.add_v2_cgroup(a);
  io.add_v2_cgroup(b);
  io.set_file(k_v2_root + "/cgroup.freeze", "1\n");  // someone froze the whole job root
  StatusReader reader(io, HierarchyKind::v2, k_v2_mount);
  auto cg = Cgroup::open(io, b);
  std::vector<StatusEntry> out;
  std::vector<Error> problems;
  REQUIRE(reader.walk(*cg, false, true, out, problems));
  REQUIRE(out.size() == 1);
  CHECK(out[0].status.parent_freezing);
  CHECK(out[0].status.state == FreezeState::freezing);
}

TEST_CASE("v2: each control file is read once per job, ancestors once per run", "[stat][status]") {
  FakeSysIo io;
  add_v2_mount(io);
  std::vector<std::string> jobs;
  for (int i = 0; i < 20; ++i) {
    std::string job = k_v2_root + "/j" + std::to_string(i);
    io.add_v2_cgroup(job);
    io.add_v2_cgroup(job + "/sub");
    jobs.push_back(job);
    jobs.push_back(job + "/sub");
  }
  StatusReader reader(io, HierarchyKind::v2, k_v2_mount);
  std::vector<StatusEntry> out;
  std::vector<Error> problems;
  auto root = Cgroup::open(io, k_v2_root);
  REQUIRE(reader.walk(*root, true, false, out, problems));
  CHECK(out.size() == jobs.size());
  for (const auto& job : jobs) {
    INFO(job);
    CHECK(io.reads(job + "/cgroup.freeze") == 1);
    CHECK(io.reads(job + "/cgroup.events") == 1);
    CHECK(io.reads(job + "/cgroup.procs") == 1);
  }
  CHECK(io.reads(k_v2_root + "/cgroup.freeze") == 1);

  // Named one by one (cgstat j0 j1 ...): the shared ancestors are read once.
  for (int i = 0; i < 20; ++i) {
    auto cg = Cgroup::open(io, k_v2_root + "/j" + std::to_string(i) + "/sub");
    REQUIRE(reader.walk(*cg, false, true, out, problems));
  }
  CHECK(io.reads(k_v2_root + "/cgroup.freeze") == 1);
  CHECK(io.reads(k_v2_root + "/j3/cgroup.freeze") == 2);  // once as a job, once as an ancestor
}

TEST_CASE("v1: the freezer's own files say state, self and parent", "[stat][status]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_v1_mount);
  io.add_v1_cgroup(k_v1_root);
  const std::string a = k_v1_root + "/a", b = a + "/b", c = k_v1_root + "/c";
  io.add_v1_cgroup(a);
  io.add_v1_cgroup(b);
  io.add_v1_cgroup(c);
  set_v1(io, a, "FROZEN", true, false);
  set_v1(io, b, "FROZEN", false, true, "7\n0\n8\n");  // 0: a task exiting
  set_v1(io, c, "FREEZING", true, false, "9\n");
  StatusReader reader(io, HierarchyKind::v1, k_v1_mount);
  auto root = Cgroup::open(io, k_v1_root);
  std::vector<StatusEntry> out;
  std::vector<Error> problems;
  REQUIRE(reader.walk(*root, true, false, out, problems));
  REQUIRE(paths(out) == std::vector<std::string>{a, b, c});
  CHECK(out[0].status.state == FreezeState::frozen);
  CHECK(out[0].status.self_freezing);
  CHECK_FALSE(out[0].status.parent_freezing);
  CHECK(out[1].status.state == FreezeState::frozen);
  CHECK_FALSE(out[1].status.self_freezing);
  CHECK(out[1].status.parent_freezing);
  CHECK(out[1].status.pids == std::vector<pid_t>{7, 8});
  CHECK(out[2].status.state == FreezeState::freezing);
  for (const auto& path : {a, b, c}) {
    CHECK(io.reads(path + "/freezer.state") == 1);
    CHECK(io.reads(path + "/freezer.self_freezing") == 1);
    CHECK(io.reads(path + "/freezer.parent_freezing") == 1);
    CHECK(io.reads(path + "/cgroup.procs") == 1);
  }
  CHECK_FALSE(io.exists(k_v1_root + "/cgroup.freeze"));
}

TEST_CASE("v1: populated means a process anywhere in the subtree", "[stat][status]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_v1_mount);
  io.add_v1_cgroup(k_v1_root);
  const std::string a = k_v1_root + "/a", b = a + "/b", c = b + "/c", e = k_v1_root + "/e";
  for (const auto& p : {a, b, c, e}) io.add_v1_cgroup(p);
  io.set_file(c + "/cgroup.procs", "42\n");
  StatusReader reader(io, HierarchyKind::v1, k_v1_mount);
  std::vector<Error> problems;

  SECTION("walking the whole tree") {
    auto root = Cgroup::open(io, k_v1_root);
    std::vector<StatusEntry> out;
    REQUIRE(reader.walk(*root, true, false, out, problems));
    CHECK(find(out, a)->status.populated);
    CHECK(find(out, b)->status.populated);
    CHECK(find(out, c)->status.populated);
    CHECK_FALSE(find(out, e)->status.populated);
    CHECK(find(out, a)->status.pids.empty());
  }
  SECTION("one job without its sub-jobs") {
    auto cg = Cgroup::open(io, a);
    std::vector<StatusEntry> out;
    REQUIRE(reader.walk(*cg, false, true, out, problems));
    REQUIRE(out.size() == 1);
    CHECK(out[0].status.populated);
    auto empty = Cgroup::open(io, e);
    REQUIRE(reader.walk(*empty, false, true, out, problems));
    CHECK_FALSE(out[1].status.populated);
  }
}

TEST_CASE("a sub-job that vanishes during the walk is skipped; other failures are collected", "[stat][status]") {
  FakeSysIo io;
  add_v2_mount(io);
  const std::string a = k_v2_root + "/a", gone = k_v2_root + "/gone", locked = k_v2_root + "/locked";
  io.add_v2_cgroup(a);
  io.add_v2_cgroup(gone);
  io.add_v2_cgroup(gone + "/child");
  io.add_v2_cgroup(locked);
  io.fail("read", gone + "/cgroup.events", ENODEV);
  io.fail("read", locked + "/cgroup.procs", EACCES);
  StatusReader reader(io, HierarchyKind::v2, k_v2_mount);
  auto root = Cgroup::open(io, k_v2_root);
  std::vector<StatusEntry> out;
  std::vector<Error> problems;
  REQUIRE(reader.walk(*root, true, false, out, problems));
  CHECK(paths(out) == std::vector<std::string>{a});
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].errnum == EACCES);
  CHECK(problems[0].path == locked + "/cgroup.procs");
}

TEST_CASE("a failure on the named job itself is returned", "[stat][status]") {
  FakeSysIo io;
  add_v2_mount(io);
  const std::string a = k_v2_root + "/a";
  io.add_v2_cgroup(a);
  io.fail("read", a + "/cgroup.freeze", EACCES);
  StatusReader reader(io, HierarchyKind::v2, k_v2_mount);
  auto cg = Cgroup::open(io, a);
  std::vector<StatusEntry> out;
  std::vector<Error> problems;
  auto walked = reader.walk(*cg, true, true, out, problems);
  REQUIRE_FALSE(walked);
  CHECK(walked.error().errnum == EACCES);
  CHECK(out.empty());
}

TEST_CASE("list_subtree: every cgroup below, parents first, depth first in name order", "[stat][status]") {
  FakeSysIo io;
  add_v2_mount(io);
  for (const auto* name : {"b", "a", "a/z", "a/y", "a/y/x", "c"}) io.add_v2_cgroup(k_v2_root + "/" + name);
  auto root = Cgroup::open(io, k_v2_root);
  std::vector<std::string> names;
  REQUIRE(list_subtree(*root, names));
  CHECK(names == std::vector<std::string>{"a", "a/y", "a/y/x", "a/z", "b", "c"});
}
