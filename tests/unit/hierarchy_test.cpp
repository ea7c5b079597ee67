#include <catch2/catch.hpp>

#include "lib/cgroup/hierarchy.h"
#include "lib/parse/mountinfo.h"
#include "lib/base/uapi.h"
#include "tests/support/fake_sys_io.h"

using namespace cgjob;
using cgjob::testing::FakeSysIo;

namespace {

// Real mountinfo lines, trimmed to the cgroup mounts and a decoy.
constexpr const char* k_hybrid =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
constexpr const char* k_v2_only =
    "29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n"
    "30 23 0:27 / /proc rw - proc proc rw\n";
constexpr const char* k_v1_only =
    "25 24 0:22 / /sys/fs/cgroup/systemd rw shared:9 - cgroup cgroup rw,xattr,name=systemd\n"
    "28 24 0:25 / /sys/fs/cgroup/freezer,devices rw shared:12 - cgroup cgroup rw,freezer,devices\n";
constexpr const char* k_escaped = "41 31 0:38 / /mnt/my\\040cgroups rw - cgroup2 cgroup2 rw\n";

}  // namespace

TEST_CASE("mountinfo: hybrid host has both a v1 freezer and a v2 mount", "[hierarchy]") {
  auto mounts = parse_mountinfo(k_hybrid);
  REQUIRE(mounts.size() == 2);
  CHECK(mounts[0].kind == HierarchyKind::v1);
  CHECK(mounts[0].mountpoint == "/sys/fs/cgroup/freezer");
  CHECK(mounts[1].kind == HierarchyKind::v2);
  CHECK(mounts[1].mountpoint == "/sys/fs/cgroup/unified");
}

TEST_CASE("mountinfo: v2-only, v1-only and escaped mount points", "[hierarchy]") {
  auto v2 = parse_mountinfo(k_v2_only);
  REQUIRE(v2.size() == 1);
  CHECK(v2[0].kind == HierarchyKind::v2);
  CHECK(v2[0].mountpoint == "/sys/fs/cgroup");

  auto v1 = parse_mountinfo(k_v1_only);
  REQUIRE(v1.size() == 1);  // name=systemd has no freezer
  CHECK(v1[0].kind == HierarchyKind::v1);
  CHECK(v1[0].mountpoint == "/sys/fs/cgroup/freezer,devices");

  auto escaped = parse_mountinfo(k_escaped);
  REQUIRE(escaped.size() == 1);
  CHECK(escaped[0].mountpoint == "/mnt/my cgroups");
}

TEST_CASE("mountinfo: v1 mounts of one controller, by its exact name", "[hierarchy]") {
  auto cpu = parse_v1_mounts_with(k_hybrid, "cpu");
  REQUIRE(cpu.size() == 1);
  CHECK(cpu[0].kind == HierarchyKind::v1);
  CHECK(cpu[0].mountpoint == "/sys/fs/cgroup/cpu");
  CHECK(cpu[0].root == "/");
  CHECK(parse_v1_mounts_with(k_v1_only, "cpu").empty());  // no v2 mount, no "cpuacct" for "cpu"
  CHECK(parse_v1_mounts_with(k_v2_only, "freezer").empty());
  CHECK(parse_v1_mounts_with(k_v1_only, "devices").size() == 1);
}

TEST_CASE("auto picks v2 on a 5.2+ kernel, v1 before, and either can be forced", "[hierarchy]") {
  FakeSysIo io;
  auto mounts = parse_mountinfo(k_hybrid);
  auto layout = resolve_layout(io, mounts, {});
  REQUIRE(layout);
  CHECK(layout->kind == HierarchyKind::v2);
  CHECK(layout->root == "/sys/fs/cgroup/unified/cgjobs");

  io.set_kernel_release("4.19.0-23-amd64");
  layout = resolve_layout(io, mounts, {});
  REQUIRE(layout);
  CHECK(layout->kind == HierarchyKind::v1);
  CHECK(layout->root == "/sys/fs/cgroup/freezer/cgjobs");

  layout = resolve_layout(io, parse_mountinfo(k_v2_only), {HierarchyChoice::v1, {}});
  CHECK_FALSE(layout);
}

TEST_CASE("--root decides the hierarchy from its filesystem and refuses non-cgroupfs", "[hierarchy]") {
  FakeSysIo io;
  io.set_fs_magic("/", 0xEF53);  // ext4
  io.set_fs_magic("/sys/fs/cgroup", 0x01021994);  // tmpfs
  io.set_fs_magic("/sys/fs/cgroup/freezer", CGROUP_SUPER_MAGIC);
  io.set_fs_magic("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC);
  auto mounts = parse_mountinfo(k_hybrid);

  auto v1 = resolve_layout(io, mounts, {HierarchyChoice::automatic, "/sys/fs/cgroup/freezer/jobs/"});
  REQUIRE(v1);
  CHECK(v1->kind == HierarchyKind::v1);
  CHECK(v1->root == "/sys/fs/cgroup/freezer/jobs");

  auto etc = resolve_layout(io, mounts, {HierarchyChoice::automatic, "/etc"});
  REQUIRE_FALSE(etc);
  CHECK(etc.error().bad_input);

  auto tmpfs = resolve_layout(io, mounts, {HierarchyChoice::automatic, "/sys/fs/cgroup/x"});
  CHECK_FALSE(tmpfs);

  auto conflict = resolve_layout(io, mounts, {HierarchyChoice::v1, "/sys/fs/cgroup/unified/jobs"});
  REQUIRE_FALSE(conflict);
  CHECK(conflict.error().bad_input);

  auto dotdot = resolve_layout(io, mounts, {HierarchyChoice::automatic, "/sys/fs/cgroup/unified/../../etc"});
  CHECK_FALSE(dotdot);
}

TEST_CASE("kernel versions compare by major and minor", "[hierarchy]") {
  CHECK(kernel_at_least("6.18.44-fc-v657", 5, 2));
  CHECK(kernel_at_least("5.2.0", 5, 2));
  CHECK_FALSE(kernel_at_least("5.1.21", 5, 2));
  CHECK_FALSE(kernel_at_least("4.19.0", 5, 2));
}
