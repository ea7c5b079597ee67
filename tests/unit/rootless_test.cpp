// An unprivileged caller's default job root: the nearest delegated ancestor
// of its own cgroup (cgfreeze(1), Job root), on the fake kernel with a fake
// euid and fake write permissions standing in for a delegator's chown.

#include <catch2/catch.hpp>

#include "lib/cgroup/hierarchy.h"
#include "lib/parse/mountinfo.h"
#include "lib/cgroup/self_cgroup.h"
#include "lib/base/uapi.h"
#include "tests/unit/fake_kernel.h"
#include "tools/cgfreeze/commands.h"

using namespace cgjob;
using namespace cgjob::testing;

namespace {

constexpr const char* k_hybrid =
    "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
const std::string k_v2 = "/sys/fs/cgroup/unified";
const std::string k_v1 = "/sys/fs/cgroup/freezer";
constexpr uid_t k_user = 1000;

// A v2 cgroup delegated to k_user the way the kernel documents it: the
// directory and its cgroup.procs, cgroup.threads, cgroup.subtree_control.
void delegate(FakeSysIo& io, const std::string& dir) {
  io.add_v2_cgroup(dir);
  io.set_file(dir + "/cgroup.subtree_control", "");
  for (const char* name : {"", "/cgroup.procs", "/cgroup.threads", "/cgroup.subtree_control"}) {
    io.grant_write(dir + name);
  }
}

// A process of k_user in the v2 cgroup `path` (as /proc/self/cgroup shows it).
FakeSysIo& user_in(FakeSysIo& io, const std::string& path) {
  io.set_effective_uid(k_user);
  io.set_file("/proc/self/cgroup", "6:freezer:/\n0::" + path + "\n");
  io.add_v2_cgroup(k_v2);
  io.add_v2_cgroup(k_v2 + path);
  return io;
}

Result<Layout> resolve(FakeSysIo& io, LayoutRequest request = {}) {
  return resolve_layout(io, parse_mountinfo(k_hybrid), request);
}

}  // namespace

TEST_CASE("rootless: a session leaf below a delegated subtree gets <subtree>/cgjobs", "[rootless]") {
  FakeSysIo io;
  delegate(io, k_v2 + "/work");
  user_in(io, "/work/session");  // the leaf itself stays the delegator's
  auto layout = resolve(io);
  REQUIRE(layout);
  CHECK(layout->kind == HierarchyKind::v2);
  CHECK(layout->mount == k_v2);
  CHECK(layout->root == k_v2 + "/work/cgjobs");
}

TEST_CASE("rootless: the caller's own delegated cgroup (a Delegate=yes scope) is the nearest", "[rootless]") {
  FakeSysIo io;
  const std::string user = "/user.slice/user-1000.slice/user@1000.service";
  delegate(io, k_v2 + user);
  delegate(io, k_v2 + user + "/app.slice");
  delegate(io, k_v2 + user + "/app.slice/run-r1.scope");
  user_in(io, user + "/app.slice/run-r1.scope");
  auto layout = resolve(io);
  REQUIRE(layout);
  CHECK(layout->root == k_v2 + user + "/app.slice/run-r1.scope/cgjobs");
}

TEST_CASE("rootless: a writable directory whose cgroup.procs is not is no delegation", "[rootless]") {
  FakeSysIo io;
  delegate(io, k_v2 + "/outer");
  io.add_v2_cgroup(k_v2 + "/outer/half");
  io.grant_write(k_v2 + "/outer/half");  // the directory, not its cgroup.procs
  user_in(io, "/outer/half/leaf");
  auto layout = resolve(io);
  REQUIRE(layout);
  CHECK(layout->root == k_v2 + "/outer/cgjobs");
}

TEST_CASE("rootless: no delegated ancestor is a clear failure (exit 1), not bad input", "[rootless]") {
  FakeSysIo io;
  user_in(io, "/user.slice/user-1000.slice/session-3.scope");
  auto layout = resolve(io);
  REQUIRE_FALSE(layout);
  const Error& e = layout.error();
  CHECK(e.errnum == EACCES);
  CHECK_FALSE(e.bad_input);
  std::string why = e.reason();
  CHECK(why.find("uid 1000") != std::string::npos);
  CHECK(why.find(k_v2 + "/user.slice/user-1000.slice/session-3.scope") != std::string::npos);
  CHECK(why.find("systemd-run --user --scope -p Delegate=yes") != std::string::npos);
  CHECK(why.find("chown") != std::string::npos);
  CHECK(why.find('\n') == std::string::npos);
  CHECK(io.write_log().empty());
}

TEST_CASE("rootless: a caller already inside a job sees its session's root", "[rootless]") {
  FakeSysIo io;
  delegate(io, k_v2 + "/work");
  // Jobs are made by the user, so the kernel gives them to the user too.
  delegate(io, k_v2 + "/work/cgjobs");
  delegate(io, k_v2 + "/work/cgjobs/build");
  delegate(io, k_v2 + "/work/cgjobs/build/step");
  user_in(io, "/work/cgjobs/build/step");
  auto layout = resolve(io);
  REQUIRE(layout);
  CHECK(layout->root == k_v2 + "/work/cgjobs");
}

TEST_CASE("rootless: root keeps <mount>/cgjobs wherever it runs", "[rootless]") {
  FakeSysIo io;
  delegate(io, k_v2 + "/work");
  user_in(io, "/work/session");
  io.set_effective_uid(0);
  auto layout = resolve(io);
  REQUIRE(layout);
  CHECK(layout->root == k_v2 + "/cgjobs");
}

TEST_CASE("rootless: --root is taken as given, delegated or not", "[rootless]") {
  FakeSysIo io;
  user_in(io, "/user.slice");
  io.set_fs_magic("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC);
  auto layout = resolve(io, {HierarchyChoice::automatic, k_v2 + "/elsewhere"});
  REQUIRE(layout);
  CHECK(layout->root == k_v2 + "/elsewhere");
}

TEST_CASE("rootless: v1 follows the freezer line of /proc/self/cgroup", "[rootless]") {
  FakeSysIo io;
  io.set_effective_uid(k_user);
  io.set_file("/proc/self/cgroup", "7:cpu:/\n6:freezer:/work/session\n0::/\n");
  io.add_v1_cgroup(k_v1);
  io.add_v1_cgroup(k_v1 + "/work");
  io.add_v1_cgroup(k_v1 + "/work/session");
  for (const char* name : {"", "/cgroup.procs", "/tasks", "/freezer.state"}) io.grant_write(k_v1 + "/work" + name);
  auto layout = resolve(io, {HierarchyChoice::v1, {}});
  REQUIRE(layout);
  CHECK(layout->kind == HierarchyKind::v1);
  CHECK(layout->root == k_v1 + "/work/cgjobs");

  // The v2 line says "/", which is root's: no delegation there.
  auto v2 = resolve(io, {HierarchyChoice::v2, {}});
  REQUIRE_FALSE(v2);
  CHECK(v2.error().errnum == EACCES);
}

TEST_CASE("rootless: a mount of a sub-cgroup (namespace) maps the caller's path", "[rootless]") {
  FakeSysIo io;
  io.set_effective_uid(k_user);
  // In a cgroup namespace /proc/self/cgroup is relative to the namespace
  // root; a bind mount of /lxc/c1 shows that cgroup at the mountpoint.
  io.set_file("/proc/self/cgroup", "0::/lxc/c1/session\n");
  io.add_v2_cgroup("/mnt/cg/session");
  delegate(io, "/mnt/cg");
  std::vector<CgroupMount> mounts{{HierarchyKind::v2, "/mnt/cg", "/lxc/c1"}};
  auto layout = resolve_layout(io, mounts, {});
  REQUIRE(layout);
  CHECK(layout->root == "/mnt/cg/cgjobs");
}

TEST_CASE("rootless: the caller's cgroup not visible in the mount is reported", "[rootless]") {
  FakeSysIo io;
  io.set_effective_uid(k_user);
  io.set_file("/proc/self/cgroup", "0::/other/session\n");
  std::vector<CgroupMount> mounts{{HierarchyKind::v2, "/mnt/cg", "/lxc/c1"}};
  auto root = delegated_job_root(io, mounts.front());
  REQUIRE_FALSE(root);
  CHECK(root.error().errnum == ENOENT);
}

TEST_CASE("common_ancestor: the deepest directory both paths lie within", "[rootless]") {
  CHECK(common_ancestor("/sys/fs/cgroup/u/work/session", "/sys/fs/cgroup/u/work/cgjobs/build") ==
        "/sys/fs/cgroup/u/work");
  CHECK(common_ancestor("/sys/fs/cgroup/u/a", "/sys/fs/cgroup/u/ab") == "/sys/fs/cgroup/u");
  CHECK(common_ancestor("/sys/fs/cgroup/u/a/b", "/sys/fs/cgroup/u/a") == "/sys/fs/cgroup/u/a");
  CHECK(common_ancestor("/x", "/y") == "/");
}

TEST_CASE("add: another user's process (EPERM on signal 0) is still tried; EACCES is 1", "[rootless]") {
  FakeSysIo io;
  io.add_v2_cgroup(k_v2 + "/work/cgjobs/build");
  JobRoot root{io, Layout{HierarchyKind::v2, k_v2, k_v2 + "/work/cgjobs"}};
  cli::Reporter reporter{"cgfreeze"};
  reporter.set_quiet(true);
  cgfreeze::Context ctx{root, reporter};
  io.add_process(100);
  io.set_file("/proc/100/stat", "100 (sleep) S 1 1 1 0 -1 0 0 0 0 0");
  io.set_file("/proc/100/cgroup", "0::/elsewhere\n");
  io.fail("signal", "/proc/100", EPERM);
  io.fail("write", k_v2 + "/work/cgjobs/build/cgroup.procs", EACCES);
  CHECK(cgfreeze::add(ctx, cgfreeze::AddOptions{"build", {"100"}, false}) == cli::ExitStatus::failed);
  CHECK(io.writes(k_v2 + "/work/cgjobs/build/cgroup.procs") == 1);
}
