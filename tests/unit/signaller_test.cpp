// signal_job and wait_empty against the fake kernel: the paths a real kernel
// will not show on demand (no cgroup.kill, EOPNOTSUPP in a threaded cgroup, a
// pid recycled between pidfd_open and the signal, a fork during the pass, a
// failing thaw) and the freeze state put back on every path.

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <functional>

#include "lib/signal/signaller.h"
#include "tests/unit/fake_kernel.h"

using namespace cgjob;
using namespace cgjob::testing;
using namespace std::chrono_literals;

namespace {

const std::string k_job = "/cg/jobs/build";
const std::string k_sub = "/cg/jobs/build/sub";

void put_processes(FakeSysIo& io, const std::string& cg, std::vector<pid_t> pids) {
  std::string text;
  for (pid_t pid : pids) {
    io.add_process(pid);
    text += std::to_string(pid) + "\n";
  }
  io.set_file(cg + "/cgroup.procs", text);
}

// A v2 job (processes 101, 102) with a sub-job (103), the freezer played.
void put_job_with_sub(FakeSysIo& io, bool with_kill = true) {
  io.add_v2_cgroup(k_job, with_kill);
  io.add_v2_cgroup(k_sub, with_kill);
  play_v2_freezer(io, k_job, false, {k_sub});
  put_processes(io, k_job, {101, 102});
  put_processes(io, k_sub, {103});
}

Cgroup open_cg(SysIo& io, const std::string& path) {
  auto cg = Cgroup::open(io, path);
  REQUIRE(cg.ok());
  return std::move(*cg);
}

// The writes to `file` of `cg`, in order, as their data.
std::vector<std::string> writes_to(const FakeSysIo& io, const std::string& path) {
  std::vector<std::string> out;
  for (const auto& entry : io.write_log()) {
    if (entry.starts_with(path + "=")) out.push_back(entry.substr(path.size() + 1));
  }
  return out;
}

std::size_t position(const FakeSysIo& io, const std::string& entry) {
  const auto& log = io.write_log();
  return static_cast<std::size_t>(std::find(log.begin(), log.end(), entry) - log.begin());
}

// A SysIo that forwards to a FakeSysIo but runs a hook right after each
// successful pidfd_open: the moment at which a pid could be recycled.
class PidfdHookIo final : public SysIo {
 public:
  PidfdHookIo(FakeSysIo& fake, std::function<void(pid_t)> after_open) : m_fake(fake), m_after(std::move(after_open)) {}
  Result<UniqueFd> open_dir(DirRef at, std::string_view name) override { return m_fake.open_dir(at, name); }
  Status make_dir(DirRef at, std::string_view name) override { return m_fake.make_dir(at, name); }
  Status remove_dir(DirRef at, std::string_view name) override { return m_fake.remove_dir(at, name); }
  Result<std::vector<std::string>> list_dirs(DirRef dir) override { return m_fake.list_dirs(dir); }
  bool has_file(DirRef dir, std::string_view name) override { return m_fake.has_file(dir, name); }
  Result<std::string> read_file(DirRef dir, std::string_view name) override { return m_fake.read_file(dir, name); }
  Status write_file(DirRef dir, std::string_view name, std::string_view data) override {
    return m_fake.write_file(dir, name, data);
  }
  Result<UniqueFd> open_file(DirRef dir, std::string_view name) override { return m_fake.open_file(dir, name); }
  Result<std::string> reread(int fd, std::string_view path) override { return m_fake.reread(fd, path); }
  Result<UniqueFd> open_for_writing(DirRef dir, std::string_view name) override {
    return m_fake.open_for_writing(dir, name);
  }
  Status write_to(int fd, std::string_view path, std::string_view data) override {
    return m_fake.write_to(fd, path, data);
  }
  Result<long> fs_magic(std::string_view path) override { return m_fake.fs_magic(path); }
  std::string kernel_release() override { return m_fake.kernel_release(); }
  Result<UniqueFd> pidfd_open(pid_t pid) override {
    auto fd = m_fake.pidfd_open(pid);
    if (fd) m_after(pid);
    return fd;
  }
  Status send_signal(int pidfd, int sig) override { return m_fake.send_signal(pidfd, sig); }
  Status probe_clone3() override { return m_fake.probe_clone3(); }
  Result<UniqueFd> pin_task(pid_t pid) override { return m_fake.pin_task(pid); }
  bool pinned_alive(int pin) override { return m_fake.pinned_alive(pin); }
  Status kill_pid(pid_t pid, int sig) override { return m_fake.kill_pid(pid, sig); }
  pid_t self_pid() override { return m_fake.self_pid(); }
  Result<UniqueFd> open_lock(std::string_view name) override { return m_fake.open_lock(name); }
  Result<bool> lock_file(int fd, std::string_view name, Clock::duration wait) override {
    return m_fake.lock_file(fd, name, wait);
  }
  Status rewrite_lock(int fd, std::string_view name, std::string_view data) override {
    return m_fake.rewrite_lock(fd, name, data);
  }
  Status remove_lock(std::string_view name) override { return m_fake.remove_lock(name); }
  Result<std::string> read_lock(std::string_view name) override { return m_fake.read_lock(name); }
  Result<int> poll(std::span<pollfd> fds, Clock::duration timeout) override { return m_fake.poll(fds, timeout); }
  Clock::time_point now() override { return m_fake.now(); }

 private:
  FakeSysIo& m_fake;
  std::function<void(pid_t)> m_after;
};

}  // namespace

// --- SIGKILL on v2: cgroup.kill, and the fallbacks --------------------------

TEST_CASE("v2 SIGKILL writes cgroup.kill and signals no pid itself", "[signaller]") {
  FakeSysIo io;
  put_job_with_sub(io);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGKILL, Deadline::never(), Caller{});
  REQUIRE(report.ok());
  CHECK(report->used_cgroup_kill);
  CHECK(report->signalled == 3);
  CHECK(writes_to(io, k_job + "/cgroup.kill") == std::vector<std::string>{"1"});
  CHECK(io.writes(k_job + "/cgroup.freeze") == 0);
  CHECK(io.signals_of(101).empty());
}

TEST_CASE("v2 SIGKILL with CountFirst::no writes cgroup.kill before reading any process list", "[signaller]") {
  // Reading the list of a large forking job first delays the kill by seconds.
  FakeSysIo io;
  put_job_with_sub(io);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGKILL, Deadline::never(), Caller{}, k_default_freeze_wait,
                           CountFirst::no);
  REQUIRE(report.ok());
  CHECK(report->used_cgroup_kill);
  CHECK(report->signalled == 0);
  CHECK(writes_to(io, k_job + "/cgroup.kill") == std::vector<std::string>{"1"});
  // The lists are read only after the write (for exited leaders, below).
  const auto& calls = io.calls();
  auto kill = std::find(calls.begin(), calls.end(), "write " + k_job + "/cgroup.kill");
  REQUIRE(kill != calls.end());
  CHECK(std::find_if(calls.begin(), kill, [](const std::string& c) {
          return c.ends_with("/cgroup.procs");
        }) == kill);
}

TEST_CASE("v2 SIGKILL by cgroup.kill also kills a process whose main thread has exited", "[signaller]") {
  // cgroup.kill passes such a process by; its leader is listed, a zombie.
  FakeSysIo io;
  put_job_with_sub(io);
  auto stat = [](pid_t pid, char state) {
    return std::to_string(pid) + " (w) " + state + " 1 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 5 0 1000 0\n";
  };
  io.set_file("/proc/101/stat", stat(101, 'S'));
  io.set_file("/proc/102/stat", stat(102, 'Z'));
  io.set_file("/proc/103/stat", stat(103, 'R'));
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGKILL, Deadline::never(), Caller{});
  REQUIRE(report.ok());
  CHECK(report->used_cgroup_kill);
  CHECK(io.signals_of(102) == std::vector<int>{SIGKILL});
  CHECK(io.signals_of(101).empty());  // cgroup.kill's own
  CHECK(io.signals_of(103).empty());
}

TEST_CASE("v2 SIGKILL without cgroup.kill (before 5.14) freezes, signals each pid once, thaws", "[signaller]") {
  FakeSysIo io;
  put_job_with_sub(io, /*with_kill=*/false);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGKILL, Deadline::never(), Caller{});
  REQUIRE(report.ok());
  CHECK_FALSE(report->used_cgroup_kill);
  CHECK(report->signalled == 3);
  CHECK(report->pidfds.size() == 3);
  for (pid_t pid : {101, 102, 103}) CHECK(io.signals_of(pid) == std::vector<int>{SIGKILL});
  CHECK(writes_to(io, k_job + "/cgroup.freeze") == std::vector<std::string>{"1", "0"});
  CHECK(io.file(k_job + "/cgroup.freeze") == "0");
}

TEST_CASE("cgroup.kill refused in a threaded cgroup (EOPNOTSUPP): the freeze path is used", "[signaller]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  play_v2_freezer(io, k_job);
  put_processes(io, k_job, {101, 102});
  io.fail("write", k_job + "/cgroup.kill", EOPNOTSUPP);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGKILL, Deadline::never(), Caller{});
  REQUIRE(report.ok());
  CHECK_FALSE(report->used_cgroup_kill);
  CHECK(report->signalled == 2);
  CHECK(io.signals_of(101) == std::vector<int>{SIGKILL});
  CHECK(io.signals_of(102) == std::vector<int>{SIGKILL});
  // The refused write came first, then freeze, then thaw.
  CHECK(position(io, k_job + "/cgroup.kill=1") < position(io, k_job + "/cgroup.freeze=1"));
  CHECK(writes_to(io, k_job + "/cgroup.freeze") == std::vector<std::string>{"1", "0"});
}

TEST_CASE("cgroup.kill failing for another reason is reported, nothing else is tried", "[signaller]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  put_processes(io, k_job, {101});
  io.fail("write", k_job + "/cgroup.kill", EACCES);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGKILL, Deadline::never(), Caller{});
  REQUIRE_FALSE(report.ok());
  CHECK(report.error().errnum == EACCES);
  CHECK(report.error().path == k_job + "/cgroup.kill");
  CHECK(io.writes(k_job + "/cgroup.freeze") == 0);
  CHECK(io.signals_of(101).empty());
}

// --- pidfds: forks, exits, recycled pids -------------------------------------

TEST_CASE("a process forked during the pass is signalled too, every process exactly once", "[signaller]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  play_v2_freezer(io, k_job, /*stuck=*/true);  // a job that never gets frozen: forks go on
  put_processes(io, k_job, {101, 102});
  int reads = 0;
  io.on_read(k_job + "/cgroup.procs", [&reads](FakeSysIo& fake) {
    // Each pass sees one more child, until the fourth.
    if (++reads >= 2 && reads <= 4) {
      pid_t child = 200 + reads;
      fake.add_process(child);
      fake.set_file(k_job + "/cgroup.procs", fake.file(k_job + "/cgroup.procs") + std::to_string(child) + "\n");
    }
  });
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{}, 10ms);
  REQUIRE(report.ok());
  CHECK(report->signalled == 5);
  for (pid_t pid : {101, 102, 202, 203, 204}) CHECK(io.signals_of(pid) == std::vector<int>{SIGTERM});
  CHECK(io.file(k_job + "/cgroup.freeze") == "0");
}

TEST_CASE("a child that joins cgroup.procs after a pass found nothing new is signalled too", "[signaller]") {
  // The kernel links a forked child into its cgroup only after the fork
  // passed the fatal-signal check: it may show up after the pass that
  // found no new pid. While the job is not FROZEN, signal_job looks again.
  FakeSysIo io;
  io.add_v2_cgroup(k_job, /*with_kill=*/false);
  play_v2_freezer(io, k_job, /*stuck=*/true);
  put_processes(io, k_job, {101});
  int reads = 0;
  io.on_read(k_job + "/cgroup.procs", [&reads](FakeSysIo& fake) {
    if (++reads == 3) {  // pass 1 read {101}, pass 2 read {101}: "no new pid"
      fake.add_process(102);
      fake.set_file(k_job + "/cgroup.procs", "101\n102\n");
    }
  });
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGKILL, Deadline::never(), Caller{}, 10ms);
  REQUIRE(report.ok());
  CHECK(io.signals_of(101) == std::vector<int>{SIGKILL});
  CHECK(io.signals_of(102) == std::vector<int>{SIGKILL});
  CHECK(report->signalled == 2);
}

TEST_CASE("a job that did not freeze is re-read once more even past the deadline, and reported", "[signaller]") {
  // On a slow machine the first pass can use up the whole deadline; the
  // child of a fork in flight still gets its signal, and the caller learns
  // that the job was signalled unfrozen.
  FakeSysIo io;
  io.add_v1_cgroup(k_job);
  play_v1_freezer(io, k_job, "FREEZING");
  put_processes(io, k_job, {101});
  int reads = 0;
  io.on_read(k_job + "/cgroup.procs", [&reads](FakeSysIo& fake) {
    if (++reads == 3) {  // pass 1 read {101}, then {101}: "no new pid"
      fake.add_process(102);
      fake.set_file(k_job + "/cgroup.procs", "101\n102\n");
    }
  });
  auto freezer = make_freezer(io, HierarchyKind::v1);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::after(io, 0ms), Caller{}, 10ms);
  REQUIRE(report.ok());
  CHECK(io.signals_of(101) == std::vector<int>{SIGTERM});
  CHECK(io.signals_of(102) == std::vector<int>{SIGTERM});
  CHECK(report->freeze_incomplete);
  CHECK(io.file(k_job + "/freezer.state") == "THAWED\n");
}

TEST_CASE("cgkill's wait for a v1 job that does not freeze also thaws and re-freezes it, as cgfreeze's does",
          "[signaller]") {
  // The 8th nudge (about a second in) is the thaw and re-freeze that
  // unsticks a job of forkers re-writes alone leave FREEZING. A wait made
  // of short slices started its nudges over in each and never got there.
  FakeSysIo io;
  io.add_v1_cgroup(k_job);
  play_v1_freezer(io, k_job, "FREEZING");
  put_processes(io, k_job, {101});
  auto freezer = make_freezer(io, HierarchyKind::v1);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{});
  REQUIRE(report.ok());
  auto writes = writes_to(io, k_job + "/freezer.state");
  REQUIRE(writes.size() >= 3);
  CHECK(writes.back() == "THAWED");  // put back
  CHECK(std::count(writes.begin(), writes.end() - 1, "THAWED") >= 1);  // a nudge's thaw
  CHECK(report->freeze_incomplete);
}

TEST_CASE("a v2 job that reads frozen 1 while its sub-job does not is not taken as frozen", "[signaller]") {
  // The kernel marks a cgroup frozen once its own tasks are: 103, in the
  // sub-job, still runs and could fork past the signal.
  FakeSysIo io;
  io.add_v2_cgroup(k_job, false);
  io.add_v2_cgroup(k_sub, false);
  play_v2_freezer(io, k_job);  // the sub-job never gets frozen
  put_processes(io, k_job, {101});
  put_processes(io, k_sub, {103});
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{}, 10ms);
  REQUIRE(report.ok());
  CHECK(io.signals_of(103) == std::vector<int>{SIGTERM});
  CHECK(report->freeze_incomplete);
}

TEST_CASE("a job seen FROZEN is read until no new pid, and no more", "[signaller]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  play_v2_freezer(io, k_job);
  put_processes(io, k_job, {101});
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{});
  REQUIRE(report.ok());
  CHECK(io.reads(k_job + "/cgroup.procs") == 2);
  CHECK_FALSE(report->freeze_incomplete);
}

TEST_CASE("a recycled pid is never signalled: the pidfd still names the old process", "[signaller]") {
  FakeSysIo fake;
  fake.add_v2_cgroup(k_job);
  play_v2_freezer(fake, k_job);
  put_processes(fake, k_job, {101, 102});
  // Between pidfd_open(101) and the signal, 101 exits and its pid goes to a
  // new process outside the job.
  PidfdHookIo io(fake, [&fake](pid_t pid) {
    if (pid == 101) fake.recycle_pid(101);
  });
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{});
  REQUIRE(report.ok());  // ESRCH is no failure: the process is gone
  CHECK(fake.signals_of(101).empty());
  CHECK(fake.signals_of(102) == std::vector<int>{SIGTERM});
  CHECK(report->signalled == 1);
}

TEST_CASE("a recycled pid is never signalled: reused before its pidfd was opened", "[signaller]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  play_v2_freezer(io, k_job, /*stuck=*/true);  // not FROZEN: tasks can exit and be reaped
  put_processes(io, k_job, {101, 102});
  // Between the read of cgroup.procs that lists 101 and pidfd_open(101),
  // 101 exits, is reaped, and its pid goes to a process outside the job:
  // the pidfd then names that outsider. The next read no longer lists 101.
  int reads = 0;
  io.on_read(k_job + "/cgroup.procs", [&reads](FakeSysIo& fake) {
    if (++reads == 1) fake.recycle_pid(101);
    if (reads == 2) fake.set_file(k_job + "/cgroup.procs", "102\n");
  });
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::after(io, 1s), Caller{}, 10ms);
  REQUIRE(report.ok());
  CHECK(io.signals_of(101).empty());
  CHECK(io.signals_of(102) == std::vector<int>{SIGTERM});
}

TEST_CASE("a process that exits before its pidfd is opened is skipped", "[signaller]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  play_v2_freezer(io, k_job);
  put_processes(io, k_job, {101, 102});
  io.exit_process(101);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGHUP, Deadline::never(), Caller{});
  REQUIRE(report.ok());
  CHECK(report->signalled == 1);
  CHECK(io.signals_of(102) == std::vector<int>{SIGHUP});
}

TEST_CASE("an empty job is signalled successfully", "[signaller]") {
  for (auto kind : {HierarchyKind::v1, HierarchyKind::v2}) {
    FakeSysIo io;
    if (kind == HierarchyKind::v1) {
      io.add_v1_cgroup(k_job);
      play_v1_freezer(io, k_job);
    } else {
      io.add_v2_cgroup(k_job);
      play_v2_freezer(io, k_job);
    }
    auto freezer = make_freezer(io, kind);
    for (int sig : {SIGTERM, SIGKILL}) {
      auto report = signal_job(*freezer, open_cg(io, k_job), sig, Deadline::never(), Caller{});
      REQUIRE(report.ok());
      CHECK(report->signalled == 0);
    }
  }
}

// --- the freeze state is put back -------------------------------------------

TEST_CASE("a frozen job stays frozen after a non-KILL signal: no thaw is written", "[signaller]") {
  SECTION("v2") {
    FakeSysIo io;
    io.add_v2_cgroup(k_job);
    play_v2_freezer(io, k_job);
    put_processes(io, k_job, {101});
    io.set_file(k_job + "/cgroup.freeze", "1\n");
    auto freezer = make_freezer(io, HierarchyKind::v2);
    REQUIRE(signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{}).ok());
    CHECK(io.signals_of(101) == std::vector<int>{SIGTERM});
    CHECK(writes_to(io, k_job + "/cgroup.freeze") == std::vector<std::string>{"1"});
  }
  SECTION("v1") {
    FakeSysIo io;
    io.add_v1_cgroup(k_job);
    play_v1_freezer(io, k_job);
    put_processes(io, k_job, {101});
    io.set_file(k_job + "/freezer.state", "FROZEN\n");
    io.set_file(k_job + "/freezer.self_freezing", "1\n");
    auto freezer = make_freezer(io, HierarchyKind::v1);
    REQUIRE(signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{}).ok());
    CHECK(io.signals_of(101) == std::vector<int>{SIGTERM});
    CHECK(writes_to(io, k_job + "/freezer.state") == std::vector<std::string>{"FROZEN"});
  }
}

TEST_CASE("a failure while signalling still thaws the job; the first error wins", "[signaller]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  play_v2_freezer(io, k_job);
  put_processes(io, k_job, {101});
  // The freeze goes in; then cgroup.procs cannot be read.
  io.on_write(k_job + "/cgroup.freeze", [](FakeSysIo& fake, const std::string& data) {
    if (data == "1") fake.fail("read", k_job + "/cgroup.procs", EACCES);
  });
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{});
  REQUIRE_FALSE(report.ok());
  CHECK(report.error().errnum == EACCES);
  CHECK(writes_to(io, k_job + "/cgroup.freeze") == std::vector<std::string>{"1", "0"});
}

TEST_CASE("a thaw that fails once after the signals went out is tried again", "[signaller]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  play_v2_freezer(io, k_job);
  put_processes(io, k_job, {101});
  int errnum = GENERATE(EIO, EINTR, EAGAIN, EBUSY);
  io.on_write(k_job + "/cgroup.freeze", [errnum](FakeSysIo& fake, const std::string& data) {
    if (data == "1") fake.fail("write", k_job + "/cgroup.freeze", errnum);
  });
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{});
  REQUIRE(report.ok());
  CHECK(io.file(k_job + "/cgroup.freeze") == "0");
  CHECK(io.signals_of(101) == std::vector<int>{SIGTERM});
}

TEST_CASE("a thaw that keeps failing after the signals went out is reported as such", "[signaller]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  play_v2_freezer(io, k_job);
  put_processes(io, k_job, {101});
  io.on_write(k_job + "/cgroup.freeze", [](FakeSysIo& fake, const std::string& data) {
    if (data == "1") fake.fail("write", k_job + "/cgroup.freeze", EIO, 1000);
  });
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{});
  REQUIRE_FALSE(report.ok());
  CHECK(report.error().errnum == EIO);
  CHECK(report.error().reason().find("could not put the freeze state back") != std::string::npos);
  CHECK(io.signals_of(101) == std::vector<int>{SIGTERM});
}

TEST_CASE("a freeze request that fails sends nothing", "[signaller]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  put_processes(io, k_job, {101});
  io.fail("write", k_job + "/cgroup.freeze", EACCES);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{});
  REQUIRE_FALSE(report.ok());
  CHECK(report.error().errnum == EACCES);
  CHECK(io.signals_of(101).empty());
}

// --- v1 SIGKILL: frozen tasks must be thawed to die ---------------------------

TEST_CASE("v1 SIGKILL of a frozen job thaws it, waits for the killed, and freezes it again", "[signaller]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_job);
  play_v1_freezer(io, k_job);
  put_processes(io, k_job, {101, 102});
  io.set_file(k_job + "/freezer.state", "FROZEN\n");
  io.set_file(k_job + "/freezer.self_freezing", "1\n");
  auto freezer = make_freezer(io, HierarchyKind::v1);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGKILL, Deadline::after(io, 1s), Caller{});
  REQUIRE(report.ok());
  CHECK(io.signals_of(101) == std::vector<int>{SIGKILL});
  CHECK(writes_to(io, k_job + "/freezer.state") == std::vector<std::string>{"FROZEN", "THAWED", "FROZEN"});
  CHECK(io.file(k_job + "/freezer.self_freezing") == "1\n");
}

TEST_CASE("v1 SIGKILL thaws a self-frozen sub-job and freezes it again; the job itself stays thawed",
          "[signaller]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_job);
  io.add_v1_cgroup(k_sub);
  play_v1_freezer(io, k_job);
  play_v1_freezer(io, k_sub);
  put_processes(io, k_job, {101});
  put_processes(io, k_sub, {102});
  io.set_file(k_sub + "/freezer.state", "FROZEN\n");
  io.set_file(k_sub + "/freezer.self_freezing", "1\n");
  auto freezer = make_freezer(io, HierarchyKind::v1);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGKILL, Deadline::after(io, 1s), Caller{});
  REQUIRE(report.ok());
  CHECK(io.signals_of(101) == std::vector<int>{SIGKILL});
  CHECK(io.signals_of(102) == std::vector<int>{SIGKILL});
  CHECK(writes_to(io, k_job + "/freezer.state") == std::vector<std::string>{"FROZEN", "THAWED"});
  CHECK(writes_to(io, k_sub + "/freezer.state") == std::vector<std::string>{"THAWED", "FROZEN"});
  // The sub-job was thawed only after the signals went out.
  CHECK(position(io, k_job + "/freezer.state=THAWED") < position(io, k_sub + "/freezer.state=THAWED"));
}

TEST_CASE("v1 non-KILL signals leave a frozen sub-job frozen", "[signaller]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_job);
  io.add_v1_cgroup(k_sub);
  play_v1_freezer(io, k_job);
  put_processes(io, k_sub, {102});
  io.set_file(k_sub + "/freezer.state", "FROZEN\n");
  io.set_file(k_sub + "/freezer.self_freezing", "1\n");
  auto freezer = make_freezer(io, HierarchyKind::v1);
  REQUIRE(signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{}).ok());
  CHECK(io.signals_of(102) == std::vector<int>{SIGTERM});
  CHECK(io.writes(k_sub + "/freezer.state") == 0);
}

TEST_CASE("v1 SIGKILL of a thawed job does not wait for the exits (nothing is frozen again)", "[signaller]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_job);
  play_v1_freezer(io, k_job);
  put_processes(io, k_job, {101});
  auto freezer = make_freezer(io, HierarchyKind::v1);
  auto start = io.fake_now();
  REQUIRE(signal_job(*freezer, open_cg(io, k_job), SIGKILL, Deadline::never(), Caller{}).ok());
  // The fake's processes never exit: a wait would have run its 5 s grace.
  CHECK(io.fake_now() - start < 1s);
  CHECK(writes_to(io, k_job + "/freezer.state") == std::vector<std::string>{"FROZEN", "THAWED"});
}

// --- wait_empty ----------------------------------------------------------------

TEST_CASE("wait_empty returns at once when v2 says populated 0", "[signaller]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto start = io.fake_now();
  auto left = wait_empty(*freezer, open_cg(io, k_job), {}, Deadline::after(io, 10s), Caller{});
  REQUIRE(left.ok());
  CHECK(*left == 0);
  CHECK(io.fake_now() == start);
}

TEST_CASE("wait_empty gives the count left at the deadline", "[signaller]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_job);
  io.add_v1_cgroup(k_sub);
  put_processes(io, k_job, {101});
  put_processes(io, k_sub, {102, 103});
  auto freezer = make_freezer(io, HierarchyKind::v1);
  auto left = wait_empty(*freezer, open_cg(io, k_job), {}, Deadline::after(io, 2s), Caller{});
  REQUIRE(left.ok());
  CHECK(*left == 3);
  CHECK(io.fake_now() - Clock::time_point{} >= 2s);
}

TEST_CASE("wait_empty notices an empty job while a signalled process lives on elsewhere", "[signaller]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_job);
  put_processes(io, k_job, {101});
  auto pidfd = io.pidfd_open(101);  // its process never exits in the fake
  REQUIRE(pidfd.ok());
  std::vector<UniqueFd> pidfds;
  pidfds.push_back(std::move(*pidfd));
  int reads = 0;
  io.on_read(k_job + "/cgroup.procs", [&reads](FakeSysIo& fake) {
    if (++reads == 2) fake.set_file(k_job + "/cgroup.procs", "");  // moved out of the job
  });
  auto freezer = make_freezer(io, HierarchyKind::v1);
  auto start = io.fake_now();
  auto left = wait_empty(*freezer, open_cg(io, k_job), pidfds, Deadline::after(io, 10s), Caller{});
  REQUIRE(left.ok());
  CHECK(*left == 0);
  CHECK(io.fake_now() - start < 1s);
}

TEST_CASE("wait_empty counts a job removed meanwhile as empty", "[signaller]") {
  FakeSysIo io;
  io.add_v1_cgroup(k_job);
  put_processes(io, k_job, {101});
  auto cg = open_cg(io, k_job);
  io.remove(k_job);
  auto freezer = make_freezer(io, HierarchyKind::v1);
  auto left = wait_empty(*freezer, cg, {}, Deadline::after(io, 10s), Caller{});
  REQUIRE(left.ok());
  CHECK(*left == 0);
}

// --- cgroup.signal (the project's kernel patch) --------------------------------------

TEST_CASE("where cgroup.signal exists, any signal is one write to it and nothing is frozen", "[signaller]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  io.add_v2_cgroup(k_sub);
  io.set_file(k_job + "/cgroup.signal", "");
  play_v2_freezer(io, k_job);
  put_processes(io, k_job, {101, 102});
  put_processes(io, k_sub, {103});
  auto freezer = make_freezer(io, HierarchyKind::v2);
  int sig = GENERATE(SIGHUP, SIGTERM, SIGKILL, SIGSTOP);
  auto report = signal_job(*freezer, open_cg(io, k_job), sig, Deadline::never(), Caller{});
  REQUIRE(report.ok());
  CHECK(report->used_cgroup_signal);
  CHECK_FALSE(report->used_cgroup_kill);
  CHECK(report->signalled == 3);
  CHECK(writes_to(io, k_job + "/cgroup.signal") == std::vector<std::string>{std::to_string(sig)});
  CHECK(io.writes(k_job + "/cgroup.freeze") == 0);
  CHECK(io.signals_of(101).empty());  // the kernel delivers, not we
}

TEST_CASE("cgroup.signal refused (threaded: EOPNOTSUPP; a signal it does not take: EINVAL) falls back",
          "[signaller]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  io.set_file(k_job + "/cgroup.signal", "");
  play_v2_freezer(io, k_job);
  put_processes(io, k_job, {101});
  int errnum = GENERATE(EOPNOTSUPP, EINVAL);
  io.fail("write", k_job + "/cgroup.signal", errnum);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{});
  REQUIRE(report.ok());
  CHECK_FALSE(report->used_cgroup_signal);
  CHECK(io.signals_of(101) == std::vector<int>{SIGTERM});
  CHECK(writes_to(io, k_job + "/cgroup.freeze") == std::vector<std::string>{"1", "0"});
}

TEST_CASE("a caller inside its job never writes cgroup.signal (it would signal itself)", "[signaller]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  io.set_file(k_job + "/cgroup.signal", "");
  put_processes(io, k_job, {101, 555});
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{555, k_job});
  REQUIRE(report.ok());
  CHECK(io.writes(k_job + "/cgroup.signal") == 0);
  CHECK(io.signals_of(101) == std::vector<int>{SIGTERM});
  CHECK(io.signals_of(555).empty());
}

TEST_CASE("with cgroup_signal_ignored (CGJOB_NO_CGROUP_SIGNAL) the job is frozen and signalled as elsewhere",
          "[signaller]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  io.set_file(k_job + "/cgroup.signal", "");
  play_v2_freezer(io, k_job);
  put_processes(io, k_job, {101});
  io.capabilities().cgroup_signal_ignored = true;
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGHUP, Deadline::never(), Caller{});
  REQUIRE(report.ok());
  CHECK_FALSE(report->used_cgroup_signal);
  CHECK(io.writes(k_job + "/cgroup.signal") == 0);
  CHECK(io.signals_of(101) == std::vector<int>{SIGHUP});
  CHECK(writes_to(io, k_job + "/cgroup.freeze") == std::vector<std::string>{"1", "0"});
}

TEST_CASE("a PID whose pidfd_open answers EINVAL (being reaped) is gone, not an error", "[signaller]") {
  // pidfd_open(2) gives EINVAL for a PID left without a thread-group leader:
  // a process reaped just after cgroup.procs listed it (seen in a 6.1 guest,
  // where cgkill failed "Invalid argument (/proc/PID)").
  FakeSysIo io;
  io.add_v2_cgroup(k_job);
  play_v2_freezer(io, k_job);
  put_processes(io, k_job, {101, 102});
  io.fail("pidfd_open", "/proc/101", EINVAL, 1);
  auto freezer = make_freezer(io, HierarchyKind::v2);
  auto report = signal_job(*freezer, open_cg(io, k_job), SIGTERM, Deadline::never(), Caller{});
  REQUIRE(report.ok());
  CHECK(io.signals_of(102) == std::vector<int>{SIGTERM});
}
