// kernel/hierarchy_traits.h: each per-hierarchy question, answered by the
// table that comes with the freezer backend, against the fake kernel.

#include <catch2/catch.hpp>

#include "kernel/freeze_blockers.h"
#include "kernel/freezer.h"
#include "kernel/self_cgroup.h"
#include "tests/support/fake_sys_io.h"

using namespace cgjob;
using namespace cgjob::testing;

namespace {

// A task of `job` (its threads file: tasks on v1, cgroup.threads on v2) in
// `state`, asleep in `wchan`.
void add_task(FakeSysIo& io, const std::string& job, pid_t tid, char state, const std::string& wchan) {
  std::string threads = io.exists(job + "/tasks") ? job + "/tasks" : job + "/cgroup.threads";
  io.set_file(threads, io.file(threads) + std::to_string(tid) + "\n");
  std::string proc = "/proc/" + std::to_string(tid);
  io.add_dir(proc);
  io.set_file(proc + "/stat", std::to_string(tid) + " (t" + std::to_string(tid) + ") " + state + " 1 1 1 0 -1 0\n");
  io.set_file(proc + "/wchan", wchan);
}

std::vector<pid_t> blockers(FakeSysIo& io, const std::string& job, HierarchyKind kind) {
  auto cg = Cgroup::open(io, job);
  REQUIRE(cg);
  auto tasks = tasks_not_frozen(*cg, hierarchy_traits(kind));
  REQUIRE(tasks);
  std::vector<pid_t> out;
  for (const auto& t : *tasks) out.push_back(t.pid);
  return out;
}

}  // namespace

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

TEST_CASE("v2 counts a task as frozen only when it sleeps in the freezer", "[traits][blockers]") {
  FakeSysIo io;
  const std::string job = "/cg/unified/cgjobs/build";
  io.add_v2_cgroup(job);
  add_task(io, job, 10, 'S', "do_freezer_trap");
  add_task(io, job, 11, 'S', "__refrigerator");
  add_task(io, job, 12, 'D', "io_schedule");  // asleep in D: v1 would guess frozen
  add_task(io, job, 13, 'R', "");
  CHECK(blockers(io, job, HierarchyKind::v2) == std::vector<pid_t>{12, 13});
}

TEST_CASE("v1 guesses: a task in D is frozen unless it waits on FUSE or NFS", "[traits][blockers]") {
  FakeSysIo io;
  const std::string job = "/cg/freezer/cgjobs/build";
  io.add_v1_cgroup(job);
  add_task(io, job, 10, 'D', "refrigerator");
  add_task(io, job, 11, 'D', "io_schedule");
  add_task(io, job, 12, 'D', "fuse_wait_answer");
  add_task(io, job, 13, 'D', "rpc_wait_bit_killable");
  add_task(io, job, 14, 'S', "do_select");
  CHECK(blockers(io, job, HierarchyKind::v1) == std::vector<pid_t>{12, 13, 14});
}

TEST_CASE("when every task looks frozen, all are listed: the guess found nothing", "[traits][blockers]") {
  FakeSysIo io;
  const std::string job = "/cg/freezer/cgjobs/build";
  io.add_v1_cgroup(job);
  add_task(io, job, 10, 'D', "refrigerator");
  add_task(io, job, 11, 'D', "io_schedule");
  CHECK(blockers(io, job, HierarchyKind::v1) == std::vector<pid_t>{10, 11});
}

TEST_CASE("each hierarchy finds its own line of /proc/PID/cgroup", "[traits][self_cgroup]") {
  const std::string text = "12:pids:/p\n7:cpu,freezer:/frozen/x\n1:name=systemd:/s\n0::/unified/y\n";
  CHECK(cgroup_line_path(text, HierarchyKind::v1) == "/frozen/x");
  CHECK(cgroup_line_path(text, HierarchyKind::v2) == "/unified/y");
  // A named hierarchy with no controllers is not the unified one; a
  // controller whose name merely contains "freezer" is not the freezer.
  CHECK(cgroup_line_path("1:name=systemd:/s\n3:nofreezer:/n\n", HierarchyKind::v1).empty());
  CHECK(cgroup_line_path("1:name=systemd:/s\n", HierarchyKind::v2).empty());
}

TEST_CASE("process_cgroup_dir maps the line of the mount's hierarchy to its directory", "[traits][self_cgroup]") {
  FakeSysIo io;
  io.set_file("/proc/42/cgroup", "7:freezer:/cgjobs/a\n0::/cgjobs/b\n");
  auto v1 = process_cgroup_dir(io, CgroupMount{HierarchyKind::v1, "/cg/freezer", "/"}, 42);
  auto v2 = process_cgroup_dir(io, CgroupMount{HierarchyKind::v2, "/cg/unified", "/"}, 42);
  REQUIRE(v1);
  REQUIRE(v2);
  CHECK(*v1 == "/cg/freezer/cgjobs/a");
  CHECK(*v2 == "/cg/unified/cgjobs/b");
}
