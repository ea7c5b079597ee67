// The library on the real kernel, on the hierarchy CGJOB_TEST_HIERARCHY names.

#include <catch2/catch.hpp>
#include <signal.h>
#include <unistd.h>

#include <fstream>

#include "lib/freezer/freeze_blockers.h"
#include "lib/signal/signaller.h"
#include "lib/process/spawn.h"
#include "tests/kernel/support.h"

using namespace cgjob;
using namespace cgjob::ktest;
using namespace std::chrono_literals;

namespace {

Cgroup make_job(const std::string& stem) {
  auto name = job_root().parse(unique_job(stem));
  REQUIRE(name);
  auto cg = job_root().create_job(*name);
  REQUIRE(cg);
  return std::move(*cg);
}

FreezeState state_of(const Cgroup& cg) {
  auto st = job_root().freezer().status(cg);
  REQUIRE(st);
  return st->state;
}

// Born inside the job (clone3 into the cgroup, or joined before exec), so
// nothing the shell forks can escape it; tracked for cleanup.
pid_t start_in(const Cgroup& cg, const std::string& script) {
  auto child = spawn_in_cgroup(cg, job_root().layout().kind, {"/bin/sh", "-c", script}, SpawnMode::detached);
  REQUIRE(child);
  track_child(child->pid);
  return child->pid;
}

}  // namespace

TEST_CASE("create makes missing parents; the job is a cgroup on the right hierarchy", "[kernel]") {
  auto name = job_root().parse(unique_job("nested") + "/a/b");
  REQUIRE(name);
  auto cg = job_root().create_job(*name);
  REQUIRE(cg);
  CHECK(cg->has("cgroup.procs"));
  CHECK(cg->has(job_root().layout().kind == HierarchyKind::v1 ? "freezer.state" : "cgroup.freeze"));
  auto again = job_root().create_job(*name);
  CHECK(again);
}

TEST_CASE("freeze and thaw a job of sleepers and spinners, waiting together", "[kernel]") {
  auto a = make_job("sleepers");
  auto b = make_job("spinners");
  for (int i = 0; i < 3; ++i) start_in(a, "sleep 1000");
  for (int i = 0; i < 2; ++i) start_in(b, "while :; do :; done");
  Freezer& fz = job_root().freezer();
  const Cgroup* jobs[] = {&a, &b};
  auto out = change_freeze(fz, jobs, true, true, within(10s));
  for (const auto& o : out) {
    REQUIRE(o.request);
    CHECK(o.reached);
  }
  CHECK(state_of(a) == FreezeState::frozen);
  CHECK(state_of(b) == FreezeState::frozen);
  auto st = fz.status(b);
  CHECK(st->self_freezing);
  CHECK_FALSE(st->parent_freezing);

  out = change_freeze(fz, jobs, false, true, within(10s));
  CHECK(out[0].reached);
  CHECK(out[1].reached);
  CHECK(state_of(b) == FreezeState::thawed);
}

TEST_CASE("a sub-job frozen through its parent reports parent_freezing", "[kernel]") {
  auto parent = make_job("parent");
  auto child_name = job_root().parse(job_root().display_name(parent.path()) + "/child");
  auto child = job_root().create_job(*child_name);
  REQUIRE(child);
  start_in(*child, "sleep 1000");
  Freezer& fz = job_root().freezer();
  const Cgroup* jobs[] = {&parent};
  REQUIRE(change_freeze(fz, jobs, true, true, within(10s))[0].reached);
  auto st = fz.status(*child);
  REQUIRE(st);
  CHECK(st->state == FreezeState::frozen);
  CHECK(st->parent_freezing);
  CHECK_FALSE(st->self_freezing);
  auto ancestor = freezing_ancestor(fz, *child, job_root().layout().mount);
  REQUIRE(ancestor);
  CHECK(*ancestor == parent.path());
  REQUIRE(change_freeze(fz, jobs, false, true, within(10s))[0].reached);
}

TEST_CASE("tasks_not_frozen lists the tasks of a job that is not frozen", "[kernel]") {
  auto job = make_job("blockers");
  pid_t pid = start_in(job, "while :; do :; done");
  for (int i = 0; i < 1000 && read_task_info(real_sys_io(), pid)->comm != "sh"; ++i) usleep(1000);  // exec'd
  auto tasks = tasks_not_frozen(job, job_root().freezer().traits());
  REQUIRE(tasks);
  REQUIRE(tasks->size() == 1);
  CHECK((*tasks)[0].pid == pid);
  CHECK((*tasks)[0].comm == "sh");
}

TEST_CASE("spawn_in_cgroup starts the command inside the job", "[kernel]") {
  auto job = make_job("spawn");
  auto child = spawn_in_cgroup(job, job_root().layout().kind, {"sh", "-c", "exit 5"});
  REQUIRE(child);
  auto code = wait_exit_code(*child);
  REQUIRE(code);
  CHECK(*code == 5);

  auto sleeper = spawn_in_cgroup(job, job_root().layout().kind, {"sleep", "1000"}, SpawnMode::detached);
  REQUIRE(sleeper);
  auto procs = job.procs();
  REQUIRE(procs);
  CHECK(*procs == std::vector<pid_t>{sleeper->pid});
  auto dir = job_root().cgroup_dir_of(sleeper->pid);
  REQUIRE(dir);
  CHECK(*dir == job.path());
  REQUIRE(real_sys_io().send_signal(sleeper->pidfd.get(), SIGKILL));
  code = wait_exit_code(*sleeper);
  REQUIRE(code);
  CHECK(*code == 128 + SIGKILL);

  auto missing = spawn_in_cgroup(job, job_root().layout().kind, {"/nonexistent/x"});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().errnum == ENOENT);
  CHECK(missing.error().op == "exec");
}

TEST_CASE("spawn_in_cgroup runs the command in a job that was killed before", "[kernel]") {
  // On v2 the kill goes through cgroup.kill, after which Linux 6.13+ kills
  // every CLONE_INTO_CGROUP child of the job at birth; spawn must get around it.
  auto job = make_job("respawn");
  pid_t victim = start_in(job, "sleep 1000");
  Freezer& fz = job_root().freezer();
  auto report = signal_job(fz, job, SIGKILL, within(10s), Caller{});
  REQUIRE(report);
  auto left = wait_empty(fz, job, report->pidfds, within(10s), Caller{});
  REQUIRE(left);
  REQUIRE(*left == 0);
  stop_child(victim);

  for (int round = 0; round < 3; ++round) {
    auto child = spawn_in_cgroup(job, job_root().layout().kind, {"sh", "-c", "exit 7"});
    REQUIRE(child);
    auto code = wait_exit_code(*child);
    REQUIRE(code);
    CHECK(*code == 7);
  }
}

TEST_CASE("SIGKILL empties a frozen job with a fork loop; then it can be removed", "[kernel]") {
  auto job = make_job("forkloop");
  start_in(job, "while :; do sh -c 'sleep 0.05' & sleep 0.002; done");
  usleep(100000);
  Freezer& fz = job_root().freezer();
  const Cgroup* jobs[] = {&job};
  REQUIRE(change_freeze(fz, jobs, true, true, within(10s))[0].reached);
  auto report = signal_job(fz, job, SIGKILL, within(10s), Caller{});
  REQUIRE(report);
  CHECK(report->signalled >= 1);
  auto left = wait_empty(fz, job, report->pidfds, within(10s), Caller{});
  REQUIRE(left);
  CHECK(*left == 0);
  CHECK(remove_subtree(job, within(5s)));
  CHECK_FALSE(Cgroup::open(real_sys_io(), job.path()));
}
