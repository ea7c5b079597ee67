// lib/cgroup/hierarchy_traits.h: each per-hierarchy question, answered by the
// table that comes with the freezer backend, against the fake kernel.

#include <catch2/catch.hpp>

#include "lib/freezer/freeze_blockers.h"
#include "lib/freezer/freezer.h"
#include "lib/job/job_status.h"
#include "lib/cgroup/self_cgroup.h"
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

Cgroup open(FakeSysIo& io, const std::string& path) {
  auto cg = Cgroup::open(io, path);
  REQUIRE(cg);
  return std::move(*cg);
}

std::vector<pid_t> blockers(FakeSysIo& io, const std::string& job, HierarchyKind kind) {
  auto tasks = tasks_not_frozen(open(io, job), hierarchy_traits(kind));
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

TEST_CASE("v2 status_at: populated from cgroup.events, an ancestor's request as the caller found it", "[traits][status]") {
  FakeSysIo io;
  const std::string parent = "/cg/unified/cgjobs", job = parent + "/build";
  io.add_v2_cgroup(parent);
  io.add_v2_cgroup(job);
  io.set_file(parent + "/cgroup.freeze", "1\n");
  io.set_file(job + "/cgroup.events", "populated 1\nfrozen 0\n");
  auto freezer = make_freezer(io, HierarchyKind::v2);
  CHECK(freezer->traits().tells_populated);
  CHECK_FALSE(freezer->traits().tells_parent_freezing);
  const Cgroup cg = open(io, job);

  auto told = freezer->status_at(cg.dir(), false);  // the caller says: nobody above asked
  REQUIRE(told);
  CHECK(told->populated == std::optional<bool>(true));
  CHECK_FALSE(told->parent_freezing);
  CHECK(told->state == FreezeState::thawed);
  CHECK(io.reads(parent + "/cgroup.freeze") == 0);

  auto found = freezer->status_at(cg.dir(), std::nullopt);  // looks up the ancestors itself
  REQUIRE(found);
  CHECK(found->parent_freezing);
  CHECK(found->state == FreezeState::freezing);
  CHECK(io.reads(parent + "/cgroup.freeze") == 1);

  // Frozen without asking: frozen from above, whatever the caller found.
  io.set_file(job + "/cgroup.events", "populated 0\nfrozen 1\n");
  auto frozen = freezer->status_at(cg.dir(), false);
  REQUIRE(frozen);
  CHECK(frozen->parent_freezing);
  CHECK(frozen->state == FreezeState::frozen);
  CHECK(frozen->populated == std::optional<bool>(false));
}

TEST_CASE("v1 status_at: parent_freezing from the kernel, populated not told", "[traits][status]") {
  FakeSysIo io;
  const std::string job = "/cg/freezer/cgjobs/build";
  io.add_v1_cgroup(job);
  io.set_file(job + "/freezer.state", "FREEZING\n");
  io.set_file(job + "/freezer.parent_freezing", "1\n");
  auto freezer = make_freezer(io, HierarchyKind::v1);
  CHECK_FALSE(freezer->traits().tells_populated);
  CHECK(freezer->traits().tells_parent_freezing);
  const Cgroup cg = open(io, job);
  for (auto above : {std::optional<bool>(false), std::optional<bool>()}) {
    auto st = freezer->status_at(cg.dir(), above);
    REQUIRE(st);
    CHECK(st->state == FreezeState::freezing);
    CHECK(st->parent_freezing);
    CHECK_FALSE(st->self_freezing);
    CHECK_FALSE(st->populated.has_value());
  }
}

TEST_CASE("self_freezing_at reads a cgroup's own request by path; the v2 mount root has none", "[traits][status]") {
  FakeSysIo io;
  io.add_v2_cgroup("/cg/unified");
  io.remove("/cg/unified/cgroup.freeze");
  io.add_v2_cgroup("/cg/unified/a");
  io.set_file("/cg/unified/a/cgroup.freeze", "1\n");
  io.add_v1_cgroup("/cg/freezer/b");
  io.set_file("/cg/freezer/b/freezer.self_freezing", "1\n");
  auto v2 = make_freezer(io, HierarchyKind::v2);
  auto v1 = make_freezer(io, HierarchyKind::v1);
  auto a = v2->self_freezing_at("/cg/unified/a");
  REQUIRE(a);
  CHECK(*a);
  auto root = v2->self_freezing_at("/cg/unified");
  REQUIRE_FALSE(root);
  CHECK(root.error().errnum == ENOENT);
  auto b = v1->self_freezing_at("/cg/freezer/b");
  REQUIRE(b);
  CHECK(*b);
}

TEST_CASE("a walk counts populated where the kernel does not tell it, and reads no request above on v1",
          "[traits][status]") {
  FakeSysIo io;
  const std::string mount = "/cg/freezer", root = mount + "/cgjobs", a = root + "/a", b = a + "/b";
  io.add_v1_cgroup(mount);
  io.add_v1_cgroup(root);
  io.add_v1_cgroup(a);
  io.add_v1_cgroup(b);
  io.set_file(b + "/cgroup.procs", "77\n");
  StatusReader reader(io, HierarchyKind::v1, mount);
  std::vector<StatusEntry> out;
  std::vector<Error> problems;
  REQUIRE(reader.walk(open(io, a), false, true, out, problems));
  REQUIRE(out.size() == 1);
  CHECK(out[0].status.populated);  // from b's process, below
  CHECK(problems.empty());
  // Nothing above the top is read: freezer.parent_freezing told it.
  for (const auto& call : io.calls()) {
    CHECK(call.find(root + "/freezer.") == std::string::npos);
    CHECK(call.find("cgroup.freeze") == std::string::npos);
  }
}

TEST_CASE("the rest of each table: notifications, hidden processes, what a move needs", "[traits]") {
  const HierarchyTraits& v1 = hierarchy_traits(HierarchyKind::v1);
  const HierarchyTraits& v2 = hierarchy_traits(HierarchyKind::v2);
  // cgstat --watch waits for inotify events on v2, polls on v1.
  CHECK(v2.notifies_changes);
  CHECK_FALSE(v1.notifies_changes);
  // cgfreeze rm: v2 counts other namespaces' processes (0s); v1 shows none.
  CHECK(v2.lists_hidden_processes);
  CHECK_FALSE(v1.lists_hidden_processes);
  // Only a cgroup2 mount is looked at for systemd's init.scope.
  CHECK(v2.systemd_may_own);
  CHECK_FALSE(v1.systemd_may_own);
  // cgfreeze add after EACCES/EPERM: the wording users see.
  CHECK(std::string("moving a process needs ") + std::string(v1.move_access) ==
        "moving a process needs write access to the job's cgroup.procs and, unless root, the same uid as the "
        "process");
  CHECK_FALSE(v1.move_needs_common_ancestor);
  CHECK(std::string("moving a process needs ") + std::string(v2.move_access) ==
        "moving a process needs write access to cgroup.procs of the job and of the common ancestor of its cgroup "
        "and the job");
  CHECK(v2.move_needs_common_ancestor);
}
