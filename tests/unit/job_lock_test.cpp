// The job lock discipline (lib/freezer/job_lock.h) against the fake kernel: lock
// waits bounded by the deadline and named after their holder, requests
// recorded, thaw-back only while the request is ours, reversed requests
// noticed, a caller inside its job never frozen, interrupts held back.

#include <catch2/catch.hpp>

#include <csignal>

#include "lib/freezer/freezer.h"
#include "lib/freezer/job_lock.h"
#include "lib/signal/signaller.h"
#include "tests/unit/fake_kernel.h"

using namespace cgjob;
using namespace cgjob::testing;
using namespace std::chrono_literals;

namespace {

const std::string k_job = "/cg/unified/cgjobs/build";

Cgroup open_cg(SysIo& io, const std::string& path) {
  auto cg = Cgroup::open(io, path);
  REQUIRE(cg.ok());
  return std::move(*cg);
}

void v2_job(FakeSysIo& io, bool stuck = false) {
  io.add_v2_cgroup(k_job);
  play_v2_freezer(io, k_job, stuck);
}

std::vector<ChangeOutcome> freeze(FakeSysIo& io, const Cgroup& cg, bool wait, Deadline deadline) {
  auto freezer = make_freezer(io, HierarchyKind::v2);
  const Cgroup* jobs[] = {&cg};
  return change_freeze(*freezer, jobs, true, wait, deadline);
}

}  // namespace

TEST_CASE("a lock held by another run bounds a freeze by --timeout: ETIMEDOUT naming the holder, no write",
          "[lock]") {
  FakeSysIo io;
  v2_job(io);
  io.hold_lock(k_job, 4242, Clock::duration::max());
  auto cg = open_cg(io, k_job);
  auto out = freeze(io, cg, true, Deadline::after(io, 1s));
  REQUIRE_FALSE(out[0].request);
  CHECK(out[0].request.error().errnum == ETIMEDOUT);
  CHECK(out[0].request.error().reason().find("pid 4242") != std::string::npos);
  CHECK(io.writes(k_job + "/cgroup.freeze") == 0);
  CHECK(io.fake_now() - Clock::time_point{} >= 1s);
  CHECK(io.fake_now() - Clock::time_point{} < 2s);
}

TEST_CASE("without --timeout a lock wait still ends, after k_lock_bound, with EWOULDBLOCK", "[lock]") {
  FakeSysIo io;
  v2_job(io);
  io.hold_lock(k_job, 4242, Clock::duration::max());
  auto cg = open_cg(io, k_job);
  auto out = freeze(io, cg, true, Deadline::never());
  REQUIRE_FALSE(out[0].request);
  CHECK(out[0].request.error().errnum == EWOULDBLOCK);
  CHECK(out[0].request.error().reason().find("pid 4242") != std::string::npos);
  CHECK(io.fake_now() - Clock::time_point{} >= k_lock_bound);
  CHECK(io.writes(k_job + "/cgroup.freeze") == 0);
}

TEST_CASE("a lock released by its holder lets the request through, and the request is recorded", "[lock]") {
  FakeSysIo io;
  v2_job(io);
  io.hold_lock(k_job, 4242, 300ms);
  auto cg = open_cg(io, k_job);
  auto out = freeze(io, cg, true, Deadline::after(io, 5s));
  REQUIRE(out[0].request);
  CHECK(out[0].reached);
  CHECK(io.lock_content(k_job).find("request " + this_run_token(io)) != std::string::npos);
  CHECK(io.lock_waits() > 0);
}

TEST_CASE("thaw-back undoes only our own request: not one another run made since", "[lock]") {
  FakeSysIo io;
  v2_job(io, /*stuck=*/true);
  auto cg = open_cg(io, k_job);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto out = freeze(io, cg, true, Deadline::after(io, 100ms));
  REQUIRE(out[0].request);
  REQUIRE_FALSE(out[0].reached);
  CHECK_FALSE(out[0].was_self_freezing);

  SECTION("still ours: thawed") {
    auto undone = undo_freeze(*freezer, cg, out[0], Deadline::after(io, 1s));
    REQUIRE(undone);
    CHECK(*undone);
    CHECK(io.file(k_job + "/cgroup.freeze") == "0");
  }
  SECTION("another run asked for a freeze meanwhile: left frozen") {
    io.set_lock_content(k_job, "holder 77\nrequest 77@1\n");
    auto undone = undo_freeze(*freezer, cg, out[0], Deadline::after(io, 1s));
    REQUIRE(undone);
    CHECK_FALSE(*undone);
    CHECK(io.file(k_job + "/cgroup.freeze") == "1");
  }
  SECTION("the job had asked to be frozen before: nothing to undo") {
    auto again = freeze(io, cg, false, Deadline::after(io, 1s));
    CHECK(again[0].was_self_freezing);
    auto undone = undo_freeze(*freezer, cg, again[0], Deadline::after(io, 1s));
    REQUIRE(undone);
    CHECK_FALSE(*undone);
  }
  SECTION("the thaw-back waits for the lock like any change") {
    io.hold_lock(k_job, 4242, Clock::duration::max());
    auto undone = undo_freeze(*freezer, cg, out[0], Deadline::after(io, 1s));
    REQUIRE_FALSE(undone);
    CHECK(undone.error().errnum == ETIMEDOUT);
    CHECK(io.file(k_job + "/cgroup.freeze") == "1");
  }
}

TEST_CASE("freeze --wait notices another run thawing the job and ends instead of waiting forever", "[lock]") {
  FakeSysIo io;
  v2_job(io, /*stuck=*/true);
  auto cg = open_cg(io, k_job);
  int reads = 0;
  io.on_read(k_job + "/cgroup.events", [&reads](FakeSysIo& fake) {
    if (++reads == 20) fake.set_file(k_job + "/cgroup.freeze", "0");  // another run's thaw
  });
  auto out = freeze(io, cg, true, Deadline::never());
  REQUIRE_FALSE(out[0].request);
  CHECK(out[0].request.error().errnum == ECANCELED);
  CHECK(out[0].request.error().reason().find("thaw") != std::string::npos);
  CHECK(io.fake_now() - Clock::time_point{} < 1s);
}

TEST_CASE("a request seen reversed while another run holds the lock (cgkill's freeze) is no reversal",
          "[lock]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  auto cg = open_cg(io, k_job);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  const Cgroup* jobs[] = {&cg};
  // thaw --wait; cgkill then holds the job frozen for a while under its lock.
  int reads = 0;
  io.on_read(k_job + "/cgroup.events", [&](FakeSysIo& fake) {
    ++reads;
    if (reads == 2) {
      fake.set_file(k_job + "/cgroup.freeze", "1");
      fake.set_file(k_job + "/cgroup.events", "populated 1\nfrozen 1\n");
      fake.hold_lock(k_job, 4242, 200ms);
    }
    if (reads > 2 && fake.lock_content(k_job).find("holder 4242") != std::string::npos &&
        fake.fake_now() - Clock::time_point{} >= 150ms) {
      fake.set_file(k_job + "/cgroup.freeze", "0");  // cgkill's restore
      fake.set_file(k_job + "/cgroup.events", "populated 1\nfrozen 0\n");
    }
  });
  auto out = change_freeze(*freezer, jobs, false, true, Deadline::after(io, 5s));
  REQUIRE(out[0].request);
  CHECK(out[0].reached);
}

TEST_CASE("cgkill's freeze waits for the job's lock, bounded by the deadline, and sends nothing meanwhile",
          "[lock]") {
  FakeSysIo io;
  v2_job(io);
  io.add_process(101);
  io.set_file(k_job + "/cgroup.procs", "101\n");
  io.hold_lock(k_job, 4242, Clock::duration::max());
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::after(io, 500ms), Caller{});
  REQUIRE_FALSE(report);
  CHECK(report.error().errnum == ETIMEDOUT);
  CHECK(io.signals_of(101).empty());
  CHECK(io.writes(k_job + "/cgroup.freeze") == 0);
}

TEST_CASE("a caller inside its job signals the others without freezing it, and never itself", "[lock]") {
  FakeSysIo io;
  v2_job(io);
  io.add_v2_cgroup(k_job + "/sub");
  for (pid_t pid : {101, 102, 555}) io.add_process(pid);
  io.set_file(k_job + "/cgroup.procs", "101\n");
  io.set_file(k_job + "/sub/cgroup.procs", "102\n555\n");
  io.set_self_pid(555);
  Caller caller{555, k_job + "/sub"};
  auto freezer = make_freezer(io, HierarchyKind::v2);
  int sig = GENERATE(SIGTERM, SIGKILL);
  auto report = signal_job(*freezer, open_cg(io, k_job), sig, Deadline::after(io, 1s), caller);
  REQUIRE(report);
  CHECK(report->best_effort);
  CHECK_FALSE(report->used_cgroup_kill);
  CHECK(report->signalled == 2);
  CHECK(io.signals_of(101) == std::vector<int>{sig});
  CHECK(io.signals_of(102) == std::vector<int>{sig});
  CHECK(io.signals_of(555).empty());
  CHECK(io.writes(k_job + "/cgroup.freeze") == 0);
  CHECK(io.writes(k_job + "/cgroup.kill") == 0);

  // And its wait counts the others only.
  io.exit_process(101);
  io.exit_process(102);
  io.set_file(k_job + "/cgroup.procs", "");
  io.set_file(k_job + "/sub/cgroup.procs", "555\n");
  auto left = wait_empty(*freezer, open_cg(io, k_job), report->pidfds, Deadline::after(io, 1s), caller);
  REQUIRE(left);
  CHECK(*left == 0);
}

namespace {
std::size_t g_log_size_at_interrupt = 0;
const FakeSysIo* g_io = nullptr;
void record_interrupt(int) { g_log_size_at_interrupt = g_io->write_log().size(); }

// For its lifetime, a SIGINT handler that records how long the write log of
// `io` was when the signal was handled (after cgkill stopped holding it back).
class RecordSigint {
 public:
  explicit RecordSigint(const FakeSysIo& io) {
    g_io = &io;
    g_log_size_at_interrupt = 0;
    struct sigaction handler {};
    handler.sa_handler = record_interrupt;
    ::sigaction(SIGINT, &handler, &m_old);
  }
  ~RecordSigint() { ::sigaction(SIGINT, &m_old, nullptr); }
  RecordSigint(const RecordSigint&) = delete;
  RecordSigint& operator=(const RecordSigint&) = delete;

 private:
  struct sigaction m_old {};
};
}  // namespace

TEST_CASE("an interrupt during cgkill's freeze is held back until the freeze state is put back", "[lock]") {
  FakeSysIo io;
  v2_job(io);
  io.add_process(101);
  io.set_file(k_job + "/cgroup.procs", "101\n");
  // SIGINT arrives while the job is frozen for the signal.
  io.on_write(k_job + "/cgroup.freeze", [](FakeSysIo&, const std::string& data) {
    if (data == "1") ::raise(SIGINT);
  });
  RecordSigint recording(io);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::after(io, 1s), Caller{});
  REQUIRE(report);
  const auto& log = io.write_log();
  REQUIRE(log.size() >= 2);
  CHECK(log.back() == k_job + "/cgroup.freeze=0");
  CHECK(g_log_size_at_interrupt == log.size());  // handled only after the thaw
}

TEST_CASE("an interrupt while cgkill waits for a job that does not freeze ends the wait at once", "[lock]") {
  // The job (v1, stuck FREEZING) is put back at the next re-read, not
  // after the 2 s cgkill gives a freeze, nor at the end of a 100 ms slice.
  FakeSysIo io;
  io.add_v1_cgroup(k_job);
  play_v1_freezer(io, k_job, "FREEZING");
  io.add_process(101);
  io.set_file(k_job + "/cgroup.procs", "101\n");
  io.on_write(k_job + "/freezer.state", [](FakeSysIo& fake, const std::string& data) {
    fake.set_file(k_job + "/freezer.state", data == "FROZEN" ? "FREEZING\n" : "THAWED\n");
    fake.set_file(k_job + "/freezer.self_freezing", data == "FROZEN" ? "1\n" : "0\n");
    if (data == "FROZEN" && fake.write_log().size() == 1) ::raise(SIGINT);
  });
  RecordSigint recording(io);
  auto freezer = make_freezer(io, HierarchyKind::v1);
  const auto start = io.fake_now();
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{});
  REQUIRE(report);
  CHECK(io.fake_now() - start <= 20ms);
  CHECK(io.signals_of(101).empty());  // an interrupted run sends nothing more
  CHECK(io.write_log().back() == k_job + "/freezer.state=THAWED");
  CHECK(g_log_size_at_interrupt == io.write_log().size());  // handled only after the thaw
}

TEST_CASE("a hold recorded by a run that died is put back by the next run that takes the lock", "[lock]") {
  // A cgkill SIGKILLed while it held the thawed job frozen: the request is
  // in, the hold recorded. The next cgkill must not take that freeze for the
  // job's own state: it thaws first, and its own restore leaves it thawed.
  FakeSysIo io;
  v2_job(io);
  io.add_process(101);
  io.set_file(k_job + "/cgroup.procs", "101\n");
  io.set_file(k_job + "/cgroup.freeze", "1\n");
  io.set_lock_content(k_job, "holder 77\nhold 77@1\nrestore thawed\npath " + k_job + "\n");
  auto cg = open_cg(io, k_job);
  auto hold = read_hold(cg);
  REQUIRE(hold);
  CHECK(hold->owner == 77);
  CHECK_FALSE(hold->alive);
  CHECK_FALSE(hold->restore_frozen);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, cg, SIGCONT, Deadline::after(io, 1s), Caller{});
  REQUIRE(report);
  CHECK(io.signals_of(101) == std::vector<int>{SIGCONT});
  const auto& log = io.write_log();
  REQUIRE(log.size() >= 3);
  CHECK(log.front() == k_job + "/cgroup.freeze=0");  // the dead run's state, first
  CHECK(log.back() == k_job + "/cgroup.freeze=0");   // and ours put back
  CHECK(io.lock_content(k_job).find("hold ") == std::string::npos);
  CHECK_FALSE(read_hold(cg));
}

TEST_CASE("a dead run's hold of a frozen job is put back frozen, before a thaw is requested", "[lock]") {
  FakeSysIo io;
  v2_job(io);
  io.set_lock_content(k_job, "holder 77\nrequest 77@1\nhold 77@1\nrestore frozen\npath " + k_job + "\n");
  auto cg = open_cg(io, k_job);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  const Cgroup* jobs[] = {&cg};
  auto out = change_freeze(*freezer, jobs, false, false, Deadline::after(io, 1s));
  REQUIRE(out[0].request);
  CHECK(out[0].was_self_freezing);  // read after the dead run's state was back
  const auto& log = io.write_log();
  REQUIRE(log.size() == 2);
  CHECK(log[0] == k_job + "/cgroup.freeze=1");
  CHECK(log[1] == k_job + "/cgroup.freeze=0");
}

TEST_CASE("a hold is recorded before cgkill's freeze and cleared once the state is back", "[lock]") {
  FakeSysIo io;
  v2_job(io);
  io.add_process(101);
  io.set_file(k_job + "/cgroup.procs", "101\n");
  std::string seen_at_freeze;
  io.on_write(k_job + "/cgroup.freeze", [&seen_at_freeze](FakeSysIo& fake, const std::string& data) {
    if (data == "1") seen_at_freeze = fake.lock_content(k_job);
  });
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::after(io, 1s), Caller{});
  REQUIRE(report);
  CHECK(seen_at_freeze.find("hold " + this_run_token(io)) != std::string::npos);
  CHECK(seen_at_freeze.find("restore thawed") != std::string::npos);
  CHECK(io.lock_content(k_job).find("hold ") == std::string::npos);
}
