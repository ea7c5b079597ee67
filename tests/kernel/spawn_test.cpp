// spawn_in_cgroup into a job that is frozen: the check in `cgfreeze run`
// comes before the clone, so a job frozen in between reaches spawn. It must
// neither hang nor leave a child behind, and a signal must end its wait.

#include <catch2/catch.hpp>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>

#include "lib/io/capabilities.h"
#include "lib/freezer/job_lock.h"
#include "lib/process/supervise.h"
#include "tests/kernel/support.h"

using namespace cgjob;
using namespace cgjob::ktest;
using namespace std::chrono_literals;

namespace {

Cgroup make_job(const std::string& name) {
  auto parsed = job_root().parse(name);
  REQUIRE(parsed);
  auto cg = job_root().create_job(*parsed);
  REQUIRE(cg);
  return std::move(*cg);
}

void request_freeze(const Cgroup& cg, bool freeze) {
  auto lock = JobLock::acquire(job_root().freezer(), cg, Deadline::never());
  REQUIRE(lock);
  REQUIRE(job_root().freezer().write_request(*lock, cg, freeze));
}

// Our children, as the kernel lists them (the test binary is single-threaded).
std::vector<pid_t> our_children() {
  std::ifstream in("/proc/self/task/" + std::to_string(::getpid()) + "/children");
  std::vector<pid_t> pids;
  for (pid_t pid; in >> pid;) pids.push_back(pid);
  std::sort(pids.begin(), pids.end());
  return pids;
}

// v1: the cgroup a killed, never-started child goes back to (ours).
std::optional<Cgroup> home_cgroup() {
  if (job_root().layout().kind != HierarchyKind::v1) return std::nullopt;
  auto dir = job_root().cgroup_dir_of(0);
  REQUIRE(dir);
  auto cg = Cgroup::open(real_sys_io(), *dir);
  REQUIRE(cg);
  return std::move(*cg);
}

// The SigBlk line of a /proc/PID/status file (or of a copy of that line).
std::string sig_blocked_line(const std::string& file) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("SigBlk", 0) == 0) return line;
  }
  return "";
}

std::size_t procs_in(const Cgroup& cg) {
  auto text = cg.read("cgroup.procs");
  REQUIRE(text);
  return static_cast<std::size_t>(std::count(text->begin(), text->end(), '\n'));
}

}  // namespace

TEST_CASE("spawn into a frozen job returns promptly with 'frozen'; no child is left", "[kernel][spawn]") {
  std::string top = unique_job("spawnfrozen");
  auto job = make_job(top);
  auto parent = make_job(top + "-p");
  auto below = make_job(top + "-p/c");
  auto home = home_cgroup();
  SpawnOptions options;
  options.home = home ? &*home : nullptr;
  auto before = our_children();

  SECTION("the job itself asked to be frozen") {
    request_freeze(job, true);
    auto t0 = std::chrono::steady_clock::now();
    auto child = spawn_in_cgroup(job, job_root().freezer(), {"sh", "-c", "exit 0"}, options);
    auto took = std::chrono::steady_clock::now() - t0;
    REQUIRE_FALSE(child);
    CHECK(child.error().errnum == EBUSY);
    CHECK_THAT(child.error().reason(), Catch::Contains("frozen"));
    CHECK(took < 2s);
    CHECK(procs_in(job) == 0);
    request_freeze(job, false);
  }
  SECTION("an ancestor asked to be frozen") {
    request_freeze(parent, true);
    auto child = spawn_in_cgroup(below, job_root().freezer(), {"sh", "-c", "exit 0"}, options);
    REQUIRE_FALSE(child);
    CHECK(child.error().errnum == EBUSY);
    CHECK(procs_in(below) == 0);
    request_freeze(parent, false);
  }
  CHECK(our_children() == before);  // killed and reaped
}

TEST_CASE("a signal ends the wait for a child held by a frozen job; it is left for the caller", "[kernel][spawn]") {
  auto job = make_job(unique_job("spawnsig"));
  auto home = home_cgroup();
  static constexpr int k_signals[] = {SIGUSR1};
  auto forwarder = SignalForwarder::block(k_signals);
  REQUIRE(forwarder);
  auto before = our_children();
  request_freeze(job, true);
  REQUIRE(::kill(::getpid(), SIGUSR1) == 0);  // pending: it arrives "during" the start
  auto options = forwarder->spawn_options(SpawnMode::attached);
  options.home = home ? &*home : nullptr;
  auto child = spawn_in_cgroup(job, job_root().freezer(), {"sh", "-c", "exit 0"}, options);
  REQUIRE_FALSE(child);
  CHECK(child.error().errnum == EINTR);
  CHECK(forwarder->take_signal() == SIGUSR1);
  CHECK(forwarder->take_signal() == 0);
  CHECK(procs_in(job) == 0);
  CHECK(our_children() == before);
  request_freeze(job, false);
}

TEST_CASE("a job that is not frozen starts the child, which gets the caller's mask back", "[kernel][spawn]") {
  auto job = make_job(unique_job("spawnmask"));
  // The caller blocks SIGUSR2 itself; the forwarder blocks SIGUSR1 on top.
  sigset_t caller;
  sigemptyset(&caller);
  sigaddset(&caller, SIGUSR2);
  sigset_t saved;
  REQUIRE(::sigprocmask(SIG_BLOCK, &caller, &saved) == 0);
  std::string expected = sig_blocked_line("/proc/self/status");
  CHECK(expected.find("800") != std::string::npos);
  std::string out = "/tmp/cgjob-spawnmask-" + std::to_string(::getpid());
  {
    static constexpr int k_signals[] = {SIGUSR1};
    auto forwarder = SignalForwarder::block(k_signals);
    REQUIRE(forwarder);
    auto child = spawn_in_cgroup(job, job_root().freezer(),
                                 {"cp", "/proc/self/status", out},  // not sh: dash clears its mask
                                 forwarder->spawn_options(SpawnMode::attached));
    REQUIRE(child);
    auto code = forwarder->wait_forwarding(*child);
    REQUIRE(code);
    CHECK(*code == 0);
  }
  CHECK(sig_blocked_line(out) == expected);
  ::unlink(out.c_str());
  REQUIRE(::sigprocmask(SIG_SETMASK, &saved, nullptr) == 0);
}

TEST_CASE("a CLONE_INTO_CGROUP child killed before it started is never started again", "[kernel][spawn]") {
  if (job_root().layout().kind != HierarchyKind::v2 || !has_clone_into_cgroup(real_sys_io())) {
    SUCCEED("CLONE_INTO_CGROUP is v2's, 5.7+");
    return;
  }
  auto job = make_job(unique_job("spawnkilled"));
  REQUIRE(job.write("cgroup.kill", "1"));  // empty: kills nobody, but counts
  // Where the kernel compares a CLONE_INTO_CGROUP child's kill number with
  // its parent's cgroup (6.13+), a child born into this once-killed job dies
  // before it runs, as one racing a real cgroup.kill does: spawn cannot tell
  // the two apart afterwards, so it must not start COMMAND again.
  const bool quirk = !clone_into_trusted(real_sys_io(), job_root().layout().root, probe_clone_into);
  SpawnOptions into;
  into.start = StartMethod::clone_into_cgroup;
  auto child = spawn_in_cgroup(job, job_root().freezer(), {"true"}, into);
  REQUIRE(child);
  auto code = wait_exit_code(*child);
  REQUIRE(code);
  CHECK(*code == (quirk ? 128 + SIGKILL : 0));
  // run's own choice (probed before any child of the job exists) starts it.
  SpawnOptions automatic;
  automatic.scratch_parent = job_root().layout().root;
  child = spawn_in_cgroup(job, job_root().freezer(), {"true"}, automatic);
  REQUIRE(child);
  code = wait_exit_code(*child);
  REQUIRE(code);
  CHECK(*code == 0);
}
