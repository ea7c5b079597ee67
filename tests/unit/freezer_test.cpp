#include <catch2/catch.hpp>

#include "lib/freezer/job_lock.h"
#include "lib/freezer/freezer.h"
#include "tests/unit/fake_kernel.h"

using namespace cgjob;
using namespace cgjob::testing;
using namespace std::chrono_literals;

namespace {
const std::string k_v1_job = "/cg/freezer/cgjobs/build";
const std::string k_v2_job = "/cg/unified/cgjobs/build";

// change_freeze on the job at `path` alone, with the `kind` freezer `io` plays.
std::vector<ChangeOutcome> change_one_job(FakeSysIo& io, HierarchyKind kind, const std::string& path, bool freeze,
                                          bool wait, Deadline deadline) {
  auto freezer = make_freezer(io, kind);
  auto cg = Cgroup::open(io, path);
  REQUIRE(cg);
  const Cgroup* jobs[] = {&*cg};
  return change_freeze(*freezer, jobs, freeze, wait, deadline);
}

std::vector<ChangeOutcome> change_v1_job(FakeSysIo& io, bool freeze, bool wait, Deadline deadline) {
  return change_one_job(io, HierarchyKind::v1, k_v1_job, freeze, wait, deadline);
}
}  // namespace

TEST_CASE("v1 freeze retries while the kernel says EBUSY", "[freezer]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_v1_job);
  play_v1_freezer(io, k_v1_job);
  io.fail("write", k_v1_job + "/freezer.state", EBUSY, 3);
  auto out = change_v1_job(io, true, true, Deadline::after(io, 5s));
  REQUIRE(out[0].request);
  CHECK(out[0].reached);
  CHECK(io.writes(k_v1_job + "/freezer.state") == 4);
}

TEST_CASE("v1 EBUSY that never ends fails at the deadline with the errno and file", "[freezer]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_v1_job);
  io.fail("write", k_v1_job + "/freezer.state", EBUSY, 1000000);
  auto freezer = make_freezer(io, HierarchyKind::v1);
  auto cg = Cgroup::open(io, k_v1_job);
  REQUIRE(cg);
  auto lock = JobLock::acquire(*freezer, *cg, Deadline::never());
  REQUIRE(lock);
  auto done = request_with_retry(*freezer, *lock, *cg, true, Deadline::after(io, 1s));
  REQUIRE_FALSE(done);
  CHECK(done.error().errnum == EBUSY);
  CHECK(done.error().path == k_v1_job + "/freezer.state");
  CHECK(io.fake_now() - Clock::time_point{} >= 1s);
}

TEST_CASE("v1 job stuck in FREEZING is nudged: FROZEN re-written, thawed and re-frozen now and then", "[freezer]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_v1_job);
  play_v1_freezer(io, k_v1_job, "FREEZING");
  auto out = change_v1_job(io, true, true, Deadline::after(io, 2s));
  REQUIRE(out[0].request);
  CHECK_FALSE(out[0].reached);
  const auto& log = io.write_log();
  CHECK(std::count(log.begin(), log.end(), k_v1_job + "/freezer.state=FROZEN") > 10);
  CHECK(std::count(log.begin(), log.end(), k_v1_job + "/freezer.state=THAWED") >= 1);
  // Paced re-reads until the deadline, not a busy loop.
  CHECK(io.fake_now() - Clock::time_point{} >= 2s);
}

TEST_CASE("v1 FREEZING that resolves after a few re-reads reaches FROZEN", "[freezer]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_v1_job);
  play_v1_freezer(io, k_v1_job, "FREEZING");
  int reads = 0;
  io.on_read(k_v1_job + "/freezer.state", [&](FakeSysIo& fake) {
    if (++reads == 4) fake.set_file(k_v1_job + "/freezer.state", "FROZEN\n");
  });
  auto out = change_v1_job(io, true, true, Deadline::never());
  CHECK(out[0].reached);
  CHECK(io.fake_now() - Clock::time_point{} < 50ms);
}

TEST_CASE("v1 freeze without --wait nudges a job stuck in FREEZING up to one thaw and re-freeze, then returns",
          "[freezer]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_v1_job);
  play_v1_freezer(io, k_v1_job, "FREEZING");
  auto out = change_v1_job(io, true, false, Deadline::after(io, 10s));
  REQUIRE(out[0].request);
  const auto& log = io.write_log();
  // The request, 7 re-writes, and the 8th nudge's thaw and re-freeze; then
  // one more nudge pause for that to work, and no more.
  CHECK(std::count(log.begin(), log.end(), k_v1_job + "/freezer.state=FROZEN") == 9);
  CHECK(std::count(log.begin(), log.end(), k_v1_job + "/freezer.state=THAWED") == 1);
  CHECK(log.back() == k_v1_job + "/freezer.state=FROZEN");
  CHECK(io.fake_now() - Clock::time_point{} >= 1s);
  CHECK(io.fake_now() - Clock::time_point{} <= 1500ms);
}

TEST_CASE("v1 freeze without --wait stops nudging at its --timeout", "[freezer]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_v1_job);
  play_v1_freezer(io, k_v1_job, "FREEZING");
  auto out = change_v1_job(io, true, false, Deadline::after(io, 100ms));
  REQUIRE(out[0].request);
  const auto& log = io.write_log();
  CHECK(std::count(log.begin(), log.end(), k_v1_job + "/freezer.state=THAWED") == 0);
  CHECK(io.fake_now() - Clock::time_point{} <= 120ms);
}

TEST_CASE("v1 freeze without --wait that the first re-write unsticks ends FROZEN at once", "[freezer]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_v1_job);
  play_v1_freezer(io, k_v1_job, "FREEZING");
  int writes = 0;
  io.on_write(k_v1_job + "/freezer.state", [&](FakeSysIo& fake, const std::string&) {
    if (++writes == 2) fake.set_file(k_v1_job + "/freezer.state", "FROZEN\n");
  });
  auto out = change_v1_job(io, true, false, Deadline::after(io, 10s));
  REQUIRE(out[0].request);
  CHECK(io.file(k_v1_job + "/freezer.state") == "FROZEN\n");
  CHECK(writes == 2);
  CHECK(io.fake_now() - Clock::time_point{} < 20ms);
}

TEST_CASE("v1 nudges never undo a thaw that another run requested meanwhile", "[freezer]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_v1_job);
  play_v1_freezer(io, k_v1_job, "FREEZING");
  int reads = 0;
  io.on_read(k_v1_job + "/freezer.state", [&](FakeSysIo& fake) {
    if (++reads == 2) {  // another cgfreeze thaws the job while we wait
      fake.set_file(k_v1_job + "/freezer.state", "THAWED\n");
      fake.set_file(k_v1_job + "/freezer.self_freezing", "0\n");
    }
  });
  auto out = change_v1_job(io, true, true, Deadline::after(io, 1s));
  CHECK_FALSE(out[0].reached);
  CHECK(io.writes(k_v1_job + "/freezer.state") == 1);
  CHECK(io.file(k_v1_job + "/freezer.state") == "THAWED\n");
}

TEST_CASE("v2 wait re-reads every millisecond at first: a held-back notification costs no more", "[freezer]") {
  // The kernel holds a cgroup.events notification back for up to 12 ms after
  // the previous one; this fake never notifies at all.
  FakeSysIo io;
  io.add_v2_cgroup("/cg/unified/cgjobs");
  io.add_v2_cgroup(k_v2_job);
  int reads = 0;
  io.on_read(k_v2_job + "/cgroup.events", [&](FakeSysIo& fake) {
    if (++reads == 6) fake.set_file(k_v2_job + "/cgroup.events", "populated 1\nfrozen 1\n");
  });
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto cg = Cgroup::open(io, k_v2_job);
  REQUIRE(cg);
  const Cgroup* jobs[] = {&*cg};
  auto out = change_freeze(*freezer, jobs, true, true, Deadline::after(io, 5s));
  REQUIRE(out[0].request);
  CHECK(out[0].reached);
  CHECK(io.fake_now() - Clock::time_point{} <= 6ms);
}

TEST_CASE("v2 states map onto THAWED, FREEZING and FROZEN", "[freezer]") {
  FakeSysIo io;
  io.add_v2_cgroup("/cg/unified/cgjobs");
  io.add_v2_cgroup(k_v2_job);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto cg = Cgroup::open(io, k_v2_job);
  REQUIRE(cg);

  auto st = freezer->status(*cg);
  REQUIRE(st);
  CHECK(st->state == FreezeState::thawed);

  io.set_file(k_v2_job + "/cgroup.freeze", "1\n");
  st = freezer->status(*cg);
  REQUIRE(st);
  CHECK(st->state == FreezeState::freezing);
  CHECK(st->self_freezing);

  io.set_file(k_v2_job + "/cgroup.events", "populated 1\nfrozen 1\n");
  st = freezer->status(*cg);
  REQUIRE(st);
  CHECK(st->state == FreezeState::frozen);
  CHECK_FALSE(st->parent_freezing);
}

TEST_CASE("v2 job frozen by its parent: FROZEN, parent_freezing, not self_freezing", "[freezer]") {
  FakeSysIo io;
  io.add_v2_cgroup("/cg/unified/cgjobs");
  io.add_v2_cgroup(k_v2_job);
  io.set_file("/cg/unified/cgjobs/cgroup.freeze", "1\n");
  io.set_file(k_v2_job + "/cgroup.events", "populated 1\nfrozen 1\n");
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto cg = Cgroup::open(io, k_v2_job);
  REQUIRE(cg);
  auto st = freezer->status(*cg);
  REQUIRE(st);
  CHECK(st->state == FreezeState::frozen);
  CHECK(st->parent_freezing);
  CHECK_FALSE(st->self_freezing);
  auto ancestor = freezing_ancestor(*freezer, *cg, "/cg/unified");
  REQUIRE(ancestor);
  CHECK(*ancestor == "/cg/unified/cgjobs");
}

TEST_CASE("v2 freeze waits on cgroup.events and re-reads until frozen 1", "[freezer]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_v2_job);
  play_v2_freezer(io, k_v2_job, /*stuck=*/true);
  int reads = 0;
  io.on_read(k_v2_job + "/cgroup.events", [&](FakeSysIo& fake) {
    if (++reads == 6) fake.set_file(k_v2_job + "/cgroup.events", "populated 1\nfrozen 1\n");
  });
  auto out = change_one_job(io, HierarchyKind::v2, k_v2_job, true, true, Deadline::after(io, 10s));
  CHECK(out[0].reached);
  CHECK(io.writes(k_v2_job + "/cgroup.freeze") == 1);  // v2 needs no nudging
  CHECK(io.fake_now() - Clock::time_point{} < 100ms);
}

TEST_CASE("v2 freeze --wait of a job ends only once its sub-jobs read frozen 1 too", "[freezer]") {
  // The kernel says frozen 1 for a cgroup once its own tasks are frozen,
  // whatever its sub-cgroups' tasks do; no notification comes to the job
  // when a sub-job gets frozen later.
  const std::string sub = k_v2_job + "/step";
  const bool sub_freezes = GENERATE(true, false);
  FakeSysIo io;
  io.add_v2_cgroup(k_v2_job);
  io.add_v2_cgroup(sub);
  play_v2_freezer(io, k_v2_job);
  int reads = 0;
  io.on_read(sub + "/cgroup.events", [&](FakeSysIo& fake) {
    if (++reads == 4 && sub_freezes) fake.set_file(sub + "/cgroup.events", "populated 1\nfrozen 1\n");
  });
  auto out = change_one_job(io, HierarchyKind::v2, k_v2_job, true, true, Deadline::after(io, 1s));
  CHECK(out[0].reached == sub_freezes);
  CHECK(reads >= 4);
  if (sub_freezes) CHECK(io.fake_now() - Clock::time_point{} < 100ms);
}

TEST_CASE("several jobs are requested together, then waited for together", "[freezer]") {
  FakeSysIo io;
  std::vector<Cgroup> cgs;
  for (const char* name : {"a", "b", "c"}) {
    std::string path = std::string("/cg/unified/cgjobs/") + name;
    io.add_v2_cgroup(path);
    play_v2_freezer(io, path);
    auto cg = Cgroup::open(io, path);
    REQUIRE(cg);
    cgs.push_back(std::move(*cg));
  }
  auto freezer = make_freezer(io, HierarchyKind::v2);
  std::vector<const Cgroup*> jobs = {&cgs[0], &cgs[1], &cgs[2]};
  auto out = change_freeze(*freezer, jobs, true, true, Deadline::after(io, 1s));
  for (const auto& o : out) CHECK(o.reached);
  // All three writes happen before any waiting.
  const auto& log = io.write_log();
  REQUIRE(log.size() == 3);
  CHECK(log[2] == "/cg/unified/cgjobs/c/cgroup.freeze=1");
}

TEST_CASE("v2: a wait looks below a frozen job unless the kernel lists frozen_subtree", "[freezer]") {
  const std::string sub = k_v2_job + "/sub";
  // A frozen job with a thawed sub-job, on a kernel with these `features`:
  // what below_frozen() says, and how often it read the sub-job's events.
  auto below_frozen_with = [&](const std::string& features) {
    FakeSysIo io;
    io.add_v2_cgroup(k_v2_job);
    io.add_v2_cgroup(sub);
    io.set_file(k_v2_job + "/cgroup.events", "populated 1\nfrozen 1\n");
    io.set_file(sub + "/cgroup.events", "populated 1\nfrozen 0\n");
    io.set_file("/sys/kernel/cgroup/features", features);
    auto job = Cgroup::open(io, k_v2_job);
    REQUIRE(job);
    auto below = make_freezer(io, HierarchyKind::v2)->below_frozen(*job);
    REQUIRE(below);
    return std::pair{*below, io.reads(sub + "/cgroup.events")};
  };
  // 6.1 and 6.18: "frozen 1" says nothing of the sub-jobs.
  CHECK(below_frozen_with("nsdelegate\nfavordynmods\nmemory_localevents\n") == std::pair{false, 1});
  // The project's kernel patch: it does, and says so.
  CHECK(below_frozen_with("nsdelegate\nmemory_localevents\nfrozen_subtree\n") == std::pair{true, 0});
}
