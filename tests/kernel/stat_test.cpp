// What cgstat reads, on the real kernel, on the hierarchy CGJOB_TEST_HIERARCHY
// names: job status (frozen by a parent, populated, pids) and the events
// --watch waits for (inotify on cgroup directories, and on v2 on
// cgroup.events and cgroup.freeze), and SIGINT-style signals through an fd.
//
// Each test case works in its own uniquely named jobs below this binary's job
// root, which support.cpp thaws, empties (killing only the children it
// started, by PID) and removes at exit.

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>

#include <algorithm>

#include "lib/io/event_watch.h"
#include "lib/job/job_status.h"
#include "lib/io/signal_fd.h"
#include "tests/kernel/support.h"

using namespace cgjob;
using namespace cgjob::ktest;
using namespace std::chrono_literals;

namespace {

struct Job {
  std::string name;
  Cgroup cg;
};

Job make_stat_job(const std::string& name) {
  auto parsed = job_root().parse(name);
  REQUIRE(parsed);
  auto cg = job_root().create_job(*parsed);
  REQUIRE(cg);
  return Job{name, std::move(*cg)};
}

std::vector<StatusEntry> walk(const Cgroup& top, bool recursive) {
  const Layout& layout = job_root().layout();
  StatusReader reader(real_sys_io(), layout.kind, layout.mount);
  std::vector<StatusEntry> out;
  std::vector<Error> problems;
  auto walked = reader.walk(top, recursive, true, out, problems);
  INFO((walked ? std::string() : walked.error().message()));
  REQUIRE(walked);
  CHECK(problems.empty());
  return out;
}

// Events until `want` says enough, or 2 s (scaled) pass.
std::vector<WatchEvent> events_until(EventWatch& w, const std::function<bool(const std::vector<WatchEvent>&)>& want) {
  std::vector<WatchEvent> all;
  auto deadline = within(2s);
  while (!want(all) && !deadline.expired(real_sys_io())) {
    pollfd fd{w.fd(), POLLIN, 0};
    (void)real_sys_io().poll(std::span<pollfd>(&fd, 1), deadline.remaining(real_sys_io(), 100ms));
    auto more = w.read_events();
    REQUIRE(more);
    all.insert(all.end(), more->begin(), more->end());
  }
  return all;
}

bool has_event(const std::vector<WatchEvent>& events, int wd, WatchEvent::Kind kind, const std::string& name = {}) {
  return std::any_of(events.begin(), events.end(),
                     [&](const WatchEvent& e) { return e.wd == wd && e.kind == kind && e.name == name; });
}

// "exec": the pid moved into the job is the sleeper itself. A shell that
// forks its command may fork before it is moved, leaving the sleeper outside
// the job and alive after stop_child().
constexpr const char* k_sleeper = "exec sleep 1000";

}  // namespace

TEST_CASE("status: a job frozen by its parent is FROZEN, parent_freezing, not self_freezing", "[kernel][stat]") {
  std::string top = unique_job("stat-parent");
  auto parent = make_stat_job(top);
  auto child = make_stat_job(top + "/child");
  auto grandchild = make_stat_job(top + "/child/grand");
  pid_t pid = start_shell(k_sleeper);
  REQUIRE(grandchild.cg.move(pid));

  auto before = walk(parent.cg, true);
  REQUIRE(before.size() == 3);
  for (const auto& e : before) {
    CHECK(e.status.state == FreezeState::thawed);
    CHECK_FALSE(e.status.self_freezing);
    CHECK_FALSE(e.status.parent_freezing);
    CHECK(e.status.populated);  // v1: from the sub-jobs read
  }
  CHECK(before[0].status.pids.empty());
  CHECK(before[2].status.pids == std::vector<pid_t>{pid});

  Freezer& fz = job_root().freezer();
  const Cgroup* jobs[] = {&parent.cg};
  REQUIRE(change_freeze(fz, jobs, true, true, within(10s))[0].reached);
  auto frozen = walk(parent.cg, true);
  REQUIRE(frozen.size() == 3);
  CHECK(frozen[0].status.state == FreezeState::frozen);
  CHECK(frozen[0].status.self_freezing);
  CHECK_FALSE(frozen[0].status.parent_freezing);
  for (std::size_t i = 1; i < 3; ++i) {
    INFO(frozen[i].path);
    CHECK(frozen[i].status.state == FreezeState::frozen);
    CHECK_FALSE(frozen[i].status.self_freezing);
    CHECK(frozen[i].status.parent_freezing);
  }
  // Named alone (cgstat top/child): the parent's request is found above it.
  auto alone = walk(child.cg, false);
  REQUIRE(alone.size() == 1);
  CHECK(alone[0].status.state == FreezeState::frozen);
  CHECK(alone[0].status.parent_freezing);
  CHECK(alone[0].status.populated);  // v1: from the sub-job below, not read by this walk

  REQUIRE(change_freeze(fz, jobs, false, true, within(10s))[0].reached);
  for (const auto& e : walk(parent.cg, true)) {
    CHECK(e.status.state == FreezeState::thawed);
    CHECK_FALSE(e.status.parent_freezing);
  }
  stop_child(pid);
}

TEST_CASE("status: an empty job is not populated; list_subtree names every sub-job", "[kernel][stat]") {
  std::string top = unique_job("stat-empty");
  auto job = make_stat_job(top);
  make_stat_job(top + "/b");
  make_stat_job(top + "/a/x");
  auto entries = walk(job.cg, true);
  REQUIRE(entries.size() == 4);
  for (const auto& e : entries) CHECK_FALSE(e.status.populated);
  std::vector<std::string> names;
  REQUIRE(list_subtree(job.cg, names));
  CHECK(names == std::vector<std::string>{"a", "a/x", "b"});
}

TEST_CASE("event watch: sub-cgroups made and removed are seen on the directory", "[kernel][stat]") {
  auto job = make_stat_job(unique_job("stat-dir"));
  auto w = open_inotify_watch();
  REQUIRE(w);
  auto wd = (*w)->watch_dir(job.cg.path());
  REQUIRE(wd);
  auto sub = make_stat_job(job.name + "/sub");
  auto made = events_until(**w, [&](const auto& e) { return has_event(e, *wd, WatchEvent::Kind::created, "sub"); });
  CHECK(has_event(made, *wd, WatchEvent::Kind::created, "sub"));
  REQUIRE(real_sys_io().remove_dir(DirRef{AT_FDCWD, sub.cg.path()}, sub.cg.path()));
  auto removed = events_until(**w, [&](const auto& e) { return has_event(e, *wd, WatchEvent::Kind::deleted, "sub"); });
  CHECK(has_event(removed, *wd, WatchEvent::Kind::deleted, "sub"));
}

// v2 only (tests/kernel/main.cpp leaves it out on v1): v1 has no
// cgroup.events, its state is polled.
TEST_CASE("event watch (v2): cgroup.freeze writes and cgroup.events changes are seen", "[kernel][stat][v2]") {
  REQUIRE(job_root().layout().kind == HierarchyKind::v2);
  auto job = make_stat_job(unique_job("stat-events"));
  pid_t pid = start_shell(k_sleeper);
  REQUIRE(job.cg.move(pid));
  auto w = open_inotify_watch();
  REQUIRE(w);
  auto events_wd = (*w)->watch_file(join_path(job.cg.path(), "cgroup.events"));
  auto freeze_wd = (*w)->watch_file(join_path(job.cg.path(), "cgroup.freeze"));
  REQUIRE(events_wd);
  REQUIRE(freeze_wd);
  REQUIRE(job.cg.write("cgroup.freeze", "1"));
  auto seen = events_until(**w, [&](const auto& e) {
    return has_event(e, *events_wd, WatchEvent::Kind::modified) && has_event(e, *freeze_wd, WatchEvent::Kind::modified);
  });
  CHECK(has_event(seen, *freeze_wd, WatchEvent::Kind::modified));
  CHECK(has_event(seen, *events_wd, WatchEvent::Kind::modified));  // frozen 0 -> 1
  REQUIRE(job.cg.write("cgroup.freeze", "0"));
  stop_child(pid);
  auto emptied = events_until(**w, [&](const auto& e) { return has_event(e, *events_wd, WatchEvent::Kind::modified); });
  CHECK(has_event(emptied, *events_wd, WatchEvent::Kind::modified));  // populated 1 -> 0
}

TEST_CASE("interrupt signals arrive through the fd instead of being delivered", "[kernel][stat]") {
  const int sigs[] = {SIGUSR1};
  auto stop = SignalFd::block(sigs);
  REQUIRE(stop);
  CHECK(stop->take() == 0);
  REQUIRE(::kill(::getpid(), SIGUSR1) == 0);  // would end the process if delivered
  pollfd fd{stop->fd(), POLLIN, 0};
  auto ready = real_sys_io().poll(std::span<pollfd>(&fd, 1), 2s);
  REQUIRE(ready);
  CHECK(*ready == 1);
  CHECK(stop->take() == SIGUSR1);
  CHECK(stop->take() == 0);
}
