// lib/checkpoint/checkpoint.h inspect_job_tree: what checkpoint refuses
// before CRIU runs, against the fake kernel. A stopped task is refused
// however /proc shows it: T, or D with its wait channel in a stop when the
// v1 freezer holds it (Linux 6.1).

#include <catch2/catch.hpp>

#include "lib/checkpoint/checkpoint.h"
#include "lib/io/task_info.h"
#include "tests/support/fake_sys_io.h"

using namespace cgjob;
using namespace cgjob::testing;

namespace {

const std::string k_job = "/cg/freezer/cgjobs/sim";

// A process of k_job: its /proc/PID/stat (state, parent) and wchan.
void add_process(FakeSysIo& io, pid_t pid, pid_t ppid, char state, const std::string& wchan) {
  io.set_file(k_job + "/cgroup.procs", io.file(k_job + "/cgroup.procs") + std::to_string(pid) + "\n");
  std::string proc = "/proc/" + std::to_string(pid);
  io.add_dir(proc);
  io.set_file(proc + "/stat",
              std::to_string(pid) + " (p" + std::to_string(pid) + ") " + state + " " + std::to_string(ppid) +
                  " 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n");
  io.set_file(proc + "/wchan", wchan);
}

Result<JobTree> inspect(FakeSysIo& io) {
  auto cg = Cgroup::open(io, k_job);
  REQUIRE(cg);
  return inspect_job_tree(*cg);
}

}  // namespace

TEST_CASE("is_stopped: the letter T or t, or a wait channel in a stop", "[checkpoint]") {
  auto task = [](char state, std::string wchan) {
    TaskInfo info;
    info.state = state;
    info.wchan = std::move(wchan);
    return info;
  };
  CHECK(is_stopped(task('T', "")));
  CHECK(is_stopped(task('t', "")));
  CHECK(is_stopped(task('D', "do_signal_stop")));  // frozen by the v1 freezer while stopped
  CHECK(is_stopped(task('D', "ptrace_stop")));     // ... while stopped by a tracer
  CHECK(is_stopped(task('R', "do_signal_stop")));  // a frozen task shows R before Linux 6.1's fix
  CHECK_FALSE(is_stopped(task('D', "hrtimer_nanosleep")));  // frozen asleep
  CHECK_FALSE(is_stopped(task('D', "io_schedule")));
  CHECK_FALSE(is_stopped(task('S', "do_freezer_trap")));  // frozen by v2
  CHECK_FALSE(is_stopped(task('D', "")));                 // no wait channel: only the letter tells
}

TEST_CASE("inspect_job_tree: one tree, none stopped: its root", "[checkpoint]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_job);
  add_process(io, 10, 1, 'D', "do_wait");
  add_process(io, 11, 10, 'D', "hrtimer_nanosleep");
  auto tree = inspect(io);
  REQUIRE(tree);
  CHECK(tree->root == 10);
  CHECK(tree->pids == std::vector<pid_t>{10, 11});
}

TEST_CASE("inspect_job_tree: a stopped task is refused, shown as T or, frozen by v1, as D", "[checkpoint]") {
  for (auto [state, wchan] : {std::pair<char, std::string>{'T', "do_signal_stop"}, {'D', "do_signal_stop"},
                              {'D', "ptrace_stop"}}) {
    CAPTURE(state, wchan);
    FakeSysIo io;
    io.add_v1_cgroup(k_job);
    add_process(io, 10, 1, 'D', "do_wait");
    add_process(io, 11, 10, state, wchan);
    auto tree = inspect(io);
    REQUIRE_FALSE(tree);
    CHECK_THAT(tree.error().reason(), Catch::Contains("stopped") && Catch::Contains("PID 11"));
  }
}

TEST_CASE("inspect_job_tree: a sleeping task's wait channel is not read", "[checkpoint]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_job);
  add_process(io, 10, 1, 'S', "do_wait");
  add_process(io, 11, 10, 'T', "do_signal_stop");
  auto tree = inspect(io);
  REQUIRE_FALSE(tree);
  CHECK(io.reads("/proc/10/wchan") == 0);
  CHECK(io.reads("/proc/11/wchan") == 0);
}

TEST_CASE("inspect_job_tree: a process outside the root's tree is refused, naming both trees", "[checkpoint]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_job);
  add_process(io, 10, 1, 'S', "do_wait");
  add_process(io, 11, 10, 'S', "hrtimer_nanosleep");
  add_process(io, 20, 1, 'S', "hrtimer_nanosleep");
  auto tree = inspect(io);
  REQUIRE_FALSE(tree);
  CHECK_THAT(tree.error().reason(), Catch::Contains("[root 10: 10 11]") && Catch::Contains("[root 20: 20]"));
}
