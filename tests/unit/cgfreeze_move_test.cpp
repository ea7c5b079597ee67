// cgfreeze add: the look after the move. The PID is checked before the
// write to cgroup.procs; only a look after it tells whether the process
// moved was still the one checked, or another that got its PID meanwhile.

#include <catch2/catch.hpp>

#include "tests/unit/cgfreeze_fixture.h"

using namespace cgjob;
using namespace cgjob::testing;
using namespace cgjob::cgfreeze;

namespace {

const std::string k_job = "/cg/freezer/cgjobs/build";

struct Fixture : CgfreezeFixture {
  Fixture() { io.add_v1_cgroup(k_job); }
  void add_task(pid_t pid, const std::string& cgroup = "/") {
    CgfreezeFixture::add_task(pid);
    place(pid, cgroup);
  }
  // What /proc/PID/cgroup says: the freezer line names `cgroup`.
  void place(pid_t pid, const std::string& cgroup) {
    io.set_file("/proc/" + std::to_string(pid) + "/cgroup", "7:freezer:" + cgroup + "\n1:name=systemd:/\n");
  }
};

}  // namespace

TEST_CASE("add: a PID reused between the check and the move is an error for that PID", "[cgfreeze][add]") {
  Fixture f;
  f.add_task(100);
  f.add_task(101);
  // The write lands on whoever holds PID 100 then: the checked process
  // exited and was reaped after the look before the move, and a new one
  // got its PID; the kernel moves the new one.
  f.io.on_write(k_job + "/cgroup.procs", [&f](FakeSysIo& io, const std::string& data) {
    if (data != "100") return;
    io.recycle_pid(100);
    f.place(100, "/cgjobs/build");
  });
  f.io.on_write(k_job + "/cgroup.procs", [&f](FakeSysIo&, const std::string& data) {
    if (data == "101") f.place(101, "/cgjobs/build");
  });
  CHECK(add(f.ctx, AddOptions{"build", {"100", "101"}, false}) == ExitStatus::failed);
  // Both writes were made (the other PID still moves).
  CHECK(f.io.write_log() ==
        std::vector<std::string>{k_job + "/cgroup.procs=100", k_job + "/cgroup.procs=101"});
}

TEST_CASE("add: a process still alive after the move and in the job is moved", "[cgfreeze][add]") {
  Fixture f;
  f.add_task(100);
  f.io.on_write(k_job + "/cgroup.procs", [&f](FakeSysIo&, const std::string&) { f.place(100, "/cgjobs/build"); });
  CHECK(add(f.ctx, AddOptions{"build", {"100"}, false}) == ExitStatus::ok);
}

TEST_CASE("add: a process that exits right after its move is no error", "[cgfreeze][add]") {
  Fixture f;
  f.add_task(100);
  // Moved, then gone (reaped): nobody holds the PID any more.
  f.io.on_write(k_job + "/cgroup.procs", [](FakeSysIo& io, const std::string&) {
    io.exit_process(100);
    io.remove("/proc/100/cgroup");
  });
  CHECK(add(f.ctx, AddOptions{"build", {"100"}, false}) == ExitStatus::ok);
}

TEST_CASE("add: a process another run moves out again at once is reported", "[cgfreeze][add]") {
  Fixture f;
  f.io.add_v1_cgroup(k_cgfreeze_root + "/other");
  f.add_task(100);
  f.io.on_write(k_job + "/cgroup.procs", [&f](FakeSysIo&, const std::string&) { f.place(100, "/cgjobs/other"); });
  CHECK(add(f.ctx, AddOptions{"build", {"100"}, false}) == ExitStatus::failed);
}
