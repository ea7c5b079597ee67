// Old kernels through the I/O seam: the capability table (probed once, never
// from uname) and what each operation does without pidfd_open (< 5.3),
// pidfd_send_signal (< 5.1), clone3 and CLONE_INTO_CGROUP (< 5.7),
// cgroup.kill (< 5.14) and the v2 freezer (< 5.2).

#include <catch2/catch.hpp>

#include <csignal>

#include "lib/io/capabilities.h"
#include "lib/cgroup/hierarchy.h"
#include "lib/parse/mountinfo.h"
#include "lib/signal/pinned_task.h"
#include "lib/signal/signaller.h"
#include "tests/unit/fake_kernel.h"

using namespace cgjob;
using namespace cgjob::testing;

namespace {

const std::string k_job = "/cg/jobs/old";

void put_processes(FakeSysIo& io, const std::string& cg, std::vector<pid_t> pids) {
  std::string text;
  for (pid_t pid : pids) {
    io.add_process(pid);
    text += std::to_string(pid) + "\n";
  }
  io.set_file(cg + "/cgroup.procs", text);
}

Cgroup open_cg(SysIo& io, const std::string& path) {
  auto cg = Cgroup::open(io, path);
  REQUIRE(cg.ok());
  return std::move(*cg);
}

// A v2 job of `pids` on a kernel without pidfds and without cgroup.kill.
void old_v2_job(FakeSysIo& io, std::vector<pid_t> pids) {
  io.hide_syscall("pidfd_open");
  io.hide_syscall("pidfd_send_signal");
  io.add_v2_cgroup(k_job, /*with_kill=*/false);
  play_v2_freezer(io, k_job);
  put_processes(io, k_job, std::move(pids));
}

constexpr const char* k_hybrid =
    "28 24 0:25 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer\n"
    "35 24 0:30 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n";

}  // namespace

// --- the table ---------------------------------------------------------------

TEST_CASE("capabilities: a current kernel has them all", "[oldkernel]") {
  FakeSysIo io;
  CHECK(has_pidfd_open(io));
  CHECK(has_pidfd_send_signal(io));
  CHECK(has_pidfds(io));
  CHECK(has_clone3(io));
  CHECK(has_clone_into_cgroup(io));
}

TEST_CASE("capabilities: each missing syscall is seen by its own probe", "[oldkernel]") {
  FakeSysIo no_open;
  no_open.hide_syscall("pidfd_open");
  CHECK_FALSE(has_pidfd_open(no_open));
  CHECK(has_pidfd_send_signal(no_open));
  CHECK_FALSE(has_pidfds(no_open));

  FakeSysIo no_send;
  no_send.hide_syscall("pidfd_send_signal");
  CHECK(has_pidfd_open(no_send));
  CHECK_FALSE(has_pidfds(no_send));

  FakeSysIo no_clone3;
  no_clone3.hide_syscall("clone3");
  CHECK_FALSE(has_clone3(no_clone3));
  CHECK_FALSE(has_clone_into_cgroup(no_clone3));

  FakeSysIo v5_5;  // clone3 without the cgroup field: E2BIG
  v5_5.without_clone_into_cgroup();
  CHECK(has_clone3(v5_5));
  CHECK_FALSE(has_clone_into_cgroup(v5_5));
}

TEST_CASE("capabilities: probed once per run, never from uname", "[oldkernel]") {
  FakeSysIo io;
  io.set_kernel_release("4.18.0-513.el8.x86_64");  // a vendor kernel with backports
  CHECK(has_pidfds(io));
  CHECK(has_clone_into_cgroup(io));
  // The answers stay for the run: a later change is not probed again.
  io.hide_syscall("pidfd_open");
  io.hide_syscall("clone3");
  CHECK(has_pidfds(io));
  CHECK(has_clone3(io));
}

TEST_CASE("capabilities: auto picks the v2 freezer by cgroup.freeze, not by the version", "[oldkernel]") {
  auto mounts = parse_mountinfo(k_hybrid);
  {
    FakeSysIo io;  // a 4.18 vendor kernel with the v2 freezer backported
    io.set_kernel_release("4.18.0-513.el8.x86_64");
    io.add_v2_cgroup("/sys/fs/cgroup/unified/init.scope");
    auto layout = resolve_layout(io, mounts, {});
    REQUIRE(layout);
    CHECK(layout->kind == HierarchyKind::v2);
  }
  {
    FakeSysIo io;  // a version that claims 5.2+, without cgroup.freeze: v1
    io.set_kernel_release("5.4.0");
    io.add_dir("/sys/fs/cgroup/unified/init.scope");
    io.set_file("/sys/fs/cgroup/unified/init.scope/cgroup.procs", "");
    auto layout = resolve_layout(io, mounts, {});
    REQUIRE(layout);
    CHECK(layout->kind == HierarchyKind::v1);
  }
}

// --- pinning without pidfds --------------------------------------------------

TEST_CASE("without pidfds a task is pinned by /proc/PID and signalled by kill(2)", "[oldkernel]") {
  FakeSysIo io;
  io.hide_syscall("pidfd_open");
  io.add_process(101);
  auto task = PinnedTask::pin(io, 101);
  REQUIRE(task);
  CHECK_FALSE(task->by_pidfd());
  CHECK(task->alive());
  auto sent = task->signal(SIGTERM);
  REQUIRE(sent);
  CHECK(*sent == PinnedTask::Delivery::certain);
  CHECK(io.signals_of(101) == std::vector<int>{SIGTERM});
  CHECK_FALSE(task->take_pidfd().valid());
}

TEST_CASE("without pidfds a pinned task whose PID was reused is not signalled", "[oldkernel]") {
  FakeSysIo io;
  io.hide_syscall("pidfd_open");
  io.add_process(101);
  auto task = PinnedTask::pin(io, 101);
  REQUIRE(task);
  io.recycle_pid(101);  // reaped, and its PID given to another task
  CHECK_FALSE(task->alive());
  auto sent = task->signal(SIGKILL);
  REQUIRE_FALSE(sent);
  CHECK(sent.error().errnum == ESRCH);
  CHECK(io.signals_of(101).empty());  // the new holder got nothing
}

TEST_CASE("a pid with no process is ESRCH for the /proc pin", "[oldkernel]") {
  FakeSysIo io;
  io.hide_syscall("pidfd_send_signal");
  auto task = PinnedTask::pin(io, 4242);
  REQUIRE_FALSE(task);
  CHECK(task.error().errnum == ESRCH);
}

// --- signal_job without pidfds -----------------------------------------------------

TEST_CASE("v2 TERM without pidfds: frozen, each pid confirmed and killed once, thawed", "[oldkernel]") {
  FakeSysIo io;
  old_v2_job(io, {101, 102});
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{});
  REQUIRE(report);
  CHECK(report->signalled == 2);
  CHECK(report->pinned_by_proc);
  CHECK(report->pidfds.empty());
  CHECK(report->unconfirmed.empty());
  for (pid_t pid : {101, 102}) CHECK(io.signals_of(pid) == std::vector<int>{SIGTERM});
  CHECK(io.file(k_job + "/cgroup.freeze") == "0");
}

TEST_CASE("v2 SIGKILL without cgroup.kill and without pidfds: the freeze path, by kill(2)", "[oldkernel]") {
  FakeSysIo io;
  old_v2_job(io, {101, 102, 103});
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGKILL, Deadline::never(), Caller{});
  REQUIRE(report);
  CHECK_FALSE(report->used_cgroup_kill);
  CHECK(report->signalled == 3);
  for (pid_t pid : {101, 102, 103}) CHECK(io.signals_of(pid) == std::vector<int>{SIGKILL});
}

TEST_CASE("v1 SIGKILL without pidfds: thawed to die, each pid killed once", "[oldkernel]") {
  FakeSysIo io;
  io.hide_syscall("pidfd_open");
  io.add_v1_cgroup(k_job);
  play_v1_freezer(io, k_job);
  put_processes(io, k_job, {101, 102});
  auto freezer = make_freezer(io, HierarchyKind::v1);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGKILL, Deadline::never(), Caller{});
  REQUIRE(report);
  CHECK(report->signalled == 2);
  CHECK(report->pinned_by_proc);
  for (pid_t pid : {101, 102}) CHECK(io.signals_of(pid) == std::vector<int>{SIGKILL});
  CHECK(io.file(k_job + "/freezer.state") == "THAWED\n");
}

TEST_CASE("without pidfds, a PID reused between the pin and the confirming read is skipped", "[oldkernel]") {
  FakeSysIo io;
  old_v2_job(io, {101, 102});
  int reads = 0;
  io.on_read(k_job + "/cgroup.procs", [&reads](FakeSysIo& fake) {
    if (++reads == 2) {  // after the pins: 101 exits, is reaped, its PID reused outside
      fake.recycle_pid(101);
      fake.set_file(k_job + "/cgroup.procs", "102\n");
    }
  });
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{});
  REQUIRE(report);
  CHECK(report->signalled == 1);
  CHECK(io.signals_of(101).empty());  // the outsider holding 101 now
  CHECK(io.signals_of(102) == std::vector<int>{SIGTERM});
}

TEST_CASE("without pidfds, a pinned task that is gone when its turn comes is not killed", "[oldkernel]") {
  FakeSysIo io;
  old_v2_job(io, {101});
  int reads = 0;
  io.on_read(k_job + "/cgroup.procs", [&reads](FakeSysIo& fake) {
    // The confirming read still lists 101, but the task is gone by the time
    // it is signalled (a v2 frozen task killed from outside and reaped).
    if (++reads == 2) fake.exit_process(101);
  });
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{});
  REQUIRE(report);
  CHECK(report->signalled == 0);
  CHECK(io.signals_of(101).empty());
  CHECK(report->unconfirmed.empty());
}

TEST_CASE("without pidfds, a task gone right after the kill is reported unconfirmed", "[oldkernel]") {
  FakeSysIo io;
  old_v2_job(io, {101, 102});
  // Between the look through the pin and kill(2), 101 is reaped and its PID
  // reused: the kill reaches the newcomer. Nothing can prevent that window
  // without pidfds; the report says so (the tools print a warning).
  io.on_kill([](FakeSysIo& fake, pid_t pid) {
    if (pid == 101) fake.recycle_pid(101);
  });
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{});
  REQUIRE(report);
  CHECK(report->unconfirmed == std::vector<pid_t>{101});
  CHECK(io.signals_of(102) == std::vector<int>{SIGTERM});
}

TEST_CASE("without pidfds, wait_empty counts until the job is empty", "[oldkernel]") {
  FakeSysIo io;
  old_v2_job(io, {101});
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto cg = open_cg(io, k_job);
  auto report = signal_job(*freezer, cg, SIGKILL, Deadline::never(), Caller{});
  REQUIRE(report);
  REQUIRE(report->pidfds.empty());
  io.set_file(k_job + "/cgroup.procs", "");
  io.set_file(k_job + "/cgroup.events", "populated 0\nfrozen 0\n");
  auto left = wait_empty(*freezer, cg, report->pidfds, Deadline::after(io, std::chrono::seconds(1)), Caller{});
  REQUIRE(left);
  CHECK(*left == 0);
}

TEST_CASE("without pidfds a PID reused by a new process of the job is signalled again", "[oldkernel]") {
  FakeSysIo io;
  old_v2_job(io, {101});
  auto stat = [](int start) {
    return "101 (sh) S 1 101 101 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 " + std::to_string(start) + " 0\n";
  };
  io.set_file("/proc/101/stat", stat(1000));
  io.add_process(102);
  // 102 joins after the first read, so the job is read again after 101 got
  // the signal; by then 101 has exited and a new process of the job holds
  // its PID, with another start time.
  int reads = 0;
  io.on_read(k_job + "/cgroup.procs", [&](FakeSysIo& fake) {
    ++reads;
    if (reads == 2) fake.set_file(k_job + "/cgroup.procs", "101\n102\n");
    if (reads == 3) {
      fake.recycle_pid(101);
      fake.set_file("/proc/101/stat", stat(2000));
    }
  });
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{});
  REQUIRE(report);
  CHECK(report->signalled == 3);
  CHECK(io.signals_of(101) == std::vector<int>{SIGTERM});  // the newcomer's
  CHECK(io.signals_of(102) == std::vector<int>{SIGTERM});
}
