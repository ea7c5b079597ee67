// Etiquette where systemd owns the cgroup tree (lib/cgroup/systemd_unit.h): how
// it is detected, root's default job root inside cgjobs.service, the unit
// started before the first job, and `cgfreeze add` refusing other units'
// processes. On the fake kernel; tests/vm/systemd.sh checks a real guest.

#include <catch2/catch.hpp>

#include "lib/cgroup/hierarchy.h"
#include "lib/parse/mountinfo.h"
#include "lib/job/job_root.h"
#include "lib/cgroup/systemd_unit.h"
#include "tests/support/fake_sys_io.h"
#include "tools/cgfreeze/commands.h"

using namespace cgjob;
using cgjob::testing::FakeSysIo;

namespace {

// Debian 12 as booted: pure v2 at /sys/fs/cgroup.
constexpr const char* k_v2_only =
    "29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";
constexpr const char* k_hybrid =
    "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
const std::string k_mount = "/sys/fs/cgroup";
const std::string k_unit_dir = "/sys/fs/cgroup/system.slice/cgjobs.service";

// What systemd as PID 1 leaves behind: /run/systemd/system and its own
// cgroups at the root of the v2 mount.
void boot_systemd(FakeSysIo& io, const std::string& mount = k_mount) {
  io.add_dir("/run/systemd/system");
  io.add_v2_cgroup(mount);
  io.add_v2_cgroup(mount + "/init.scope");
  io.add_v2_cgroup(mount + "/system.slice");
}

}  // namespace

TEST_CASE("systemd: owns the v2 mount with init.scope when /run/systemd/system exists", "[systemd]") {
  FakeSysIo io;
  CgroupMount v2{HierarchyKind::v2, k_mount, "/"};
  CHECK_FALSE(systemd_owns(io, v2));  // this development host: no systemd
  io.add_v2_cgroup(k_mount + "/init.scope");
  CHECK_FALSE(systemd_owns(io, v2));  // a cgroup of that name without systemd running
  io.add_dir("/run/systemd/system");
  CHECK(systemd_owns(io, v2));
  CHECK_FALSE(systemd_owns(io, CgroupMount{HierarchyKind::v2, k_mount, "/lxc/c1"}));  // a bind of a subtree
  io.add_v1_cgroup("/sys/fs/cgroup/freezer/init.scope");
  CHECK_FALSE(systemd_owns(io, CgroupMount{HierarchyKind::v1, "/sys/fs/cgroup/freezer", "/"}));
}

TEST_CASE("systemd: root's default job root is in cgjobs.service, never beside system.slice", "[systemd]") {
  FakeSysIo io;
  boot_systemd(io);
  auto layout = resolve_layout(io, parse_mountinfo(k_v2_only), {});
  REQUIRE(layout);
  CHECK(layout->root == k_unit_dir + "/jobs");
  CHECK(layout->unit == "cgjobs.service");
  CHECK(layout->systemd);
  // --root still decides; the unit is then not ours to start.
  io.set_fs_magic("/sys/fs/cgroup", 0x63677270);
  auto given = resolve_layout(io, parse_mountinfo(k_v2_only), LayoutRequest{HierarchyChoice::automatic,
                                                                            std::string("/sys/fs/cgroup/mine")});
  REQUIRE(given);
  CHECK(given->root == "/sys/fs/cgroup/mine");
  CHECK(given->unit.empty());
  CHECK(given->systemd);
}

TEST_CASE("systemd: without systemd the default stays <mount>/cgjobs", "[systemd]") {
  FakeSysIo io;
  io.add_v2_cgroup("/sys/fs/cgroup/unified/init.scope");
  auto layout = resolve_layout(io, parse_mountinfo(k_hybrid), {});
  REQUIRE(layout);
  CHECK(layout->root == "/sys/fs/cgroup/unified/cgjobs");
  CHECK(layout->unit.empty());
  CHECK_FALSE(layout->systemd);
  // The v1 freezer of a hybrid systemd host is not systemd's.
  io.add_dir("/run/systemd/system");
  auto v1 = resolve_layout(io, parse_mountinfo(k_hybrid), LayoutRequest{HierarchyChoice::v1, {}});
  REQUIRE(v1);
  CHECK(v1->root == "/sys/fs/cgroup/freezer/cgjobs");
}

TEST_CASE("systemd: the unit is started before the first job, once, and never made by mkdir", "[systemd]") {
  FakeSysIo io;
  boot_systemd(io);
  auto layout = resolve_layout(io, parse_mountinfo(k_v2_only), {});
  REQUIRE(layout);
  JobRoot root{io, *layout};
  int starts = 0;
  root.set_unit_starter([&]() -> Status {
    ++starts;
    io.add_v2_cgroup(k_unit_dir);  // systemd made its cgroup
    return {};
  });
  auto job = root.parse("build");
  REQUIRE(job);
  REQUIRE(root.create_job(*job));
  CHECK(starts == 1);
  CHECK(io.exists(k_unit_dir + "/jobs/build/cgroup.procs"));
  REQUIRE(root.create_job(*job));
  CHECK(starts == 1);
}

TEST_CASE("systemd: a unit that cannot start is a one-line failure and nothing is made", "[systemd]") {
  FakeSysIo io;
  boot_systemd(io);
  JobRoot root{io, *resolve_layout(io, parse_mountinfo(k_v2_only), {})};
  root.set_unit_starter([]() -> Status { return text_error("cannot start cgjobs.service: install it", "", ESRCH); });
  auto job = root.parse("build");
  REQUIRE(job);
  auto made = root.create_job(*job);
  REQUIRE_FALSE(made);
  CHECK(made.error().reason().find("cgjobs.service") != std::string::npos);
  CHECK_FALSE(io.exists(k_unit_dir));
}

TEST_CASE("systemd: unit_of_cgroup names the innermost service or scope", "[systemd]") {
  CHECK(unit_of_cgroup("/system.slice/nginx.service") == "nginx.service");
  CHECK(unit_of_cgroup("/system.slice/nginx.service/worker") == "nginx.service");
  CHECK(unit_of_cgroup("/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope") == "run-r1.scope");
  CHECK(unit_of_cgroup("/init.scope") == "init.scope");
  CHECK(unit_of_cgroup("/system.slice") == "");
  CHECK(unit_of_cgroup("/") == "");
  CHECK(unit_of_cgroup("/cgjobs/.service") == "");
}

namespace {

struct AddFixture {
  FakeSysIo io;
  std::optional<JobRoot> root;
  cli::Reporter reporter{"cgfreeze"};
  AddFixture() {
    boot_systemd(io);
    io.add_v2_cgroup(k_unit_dir + "/jobs/build");
    root.emplace(io, *resolve_layout(io, parse_mountinfo(k_v2_only), {}));
    reporter.set_quiet(true);
    io.set_file("/proc/self/cgroup", "0::/system.slice/test-runner.service\n");
    // A move shows in /proc/PID/cgroup, which add checks afterwards.
    io.on_write(k_unit_dir + "/jobs/build/cgroup.procs", [](FakeSysIo& fake, const std::string& pid) {
      fake.set_file("/proc/" + pid + "/cgroup", "0::/system.slice/cgjobs.service/jobs/build\n");
    });
  }
  void process(pid_t pid, const std::string& cgroup) {
    io.add_process(pid);
    io.set_file("/proc/" + std::to_string(pid) + "/stat",
                std::to_string(pid) + " (sleep) S 1 1 1 0 -1 0 0 0 0 0");
    io.set_file("/proc/" + std::to_string(pid) + "/cgroup", "0::" + cgroup + "\n");
  }
  cli::ExitStatus add(const std::string& pid, bool steal) {
    cgfreeze::Context ctx{*root, reporter};
    cgfreeze::AddOptions options{"build", {pid}, false};
    options.steal = steal;
    return cgfreeze::add(ctx, options);
  }
};

}  // namespace

TEST_CASE("systemd: add refuses another unit's process (exit 1) unless --steal", "[systemd]") {
  AddFixture f;
  f.process(100, "/system.slice/nginx.service");
  const std::string procs = k_unit_dir + "/jobs/build/cgroup.procs";
  CHECK(f.add("100", false) == cli::ExitStatus::failed);
  CHECK(f.io.writes(procs) == 0);
  CHECK(f.add("100", true) == cli::ExitStatus::ok);
  CHECK(f.io.writes(procs) == 1);
}

TEST_CASE("systemd: add takes the caller's own unit's processes and moves between jobs", "[systemd]") {
  AddFixture f;
  const std::string procs = k_unit_dir + "/jobs/build/cgroup.procs";
  f.process(101, "/system.slice/test-runner.service");  // the caller's own child
  CHECK(f.add("101", false) == cli::ExitStatus::ok);
  f.io.add_v2_cgroup(k_unit_dir + "/jobs/other");
  f.process(102, "/system.slice/cgjobs.service/jobs/other");  // already a job's
  CHECK(f.add("102", false) == cli::ExitStatus::ok);
  CHECK(f.io.writes(procs) == 2);
}
