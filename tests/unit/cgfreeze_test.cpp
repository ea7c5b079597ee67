// cgfreeze's commands against the fake kernel: what the real one will not
// show on demand (a freeze that never completes, EBUSY from rmdir, kernel
// threads) and that bad input changes nothing.

#include <catch2/catch.hpp>

#include "tests/unit/cgfreeze_fixture.h"

using namespace cgjob;
using namespace cgjob::testing;
using namespace cgjob::cgfreeze;

namespace {

const std::string k_root = k_cgfreeze_root;
const std::string k_job = "/cg/freezer/cgjobs/build";

using Fixture = CgfreezeFixture;

}  // namespace

TEST_CASE("freeze --wait --timeout on a stuck job: 124, rolled back to THAWED", "[cgfreeze]") {
  Fixture f;
  f.io.add_v1_cgroup(k_job);
  play_v1_freezer(f.io, k_job, "FREEZING");
  FreezeOptions options{{"build"}, true, "0.2", false};
  CHECK(freeze(f.ctx, options) == ExitStatus::timed_out);
  CHECK(f.io.file(k_job + "/freezer.state") == "THAWED\n");
  CHECK(f.io.write_log().back() == k_job + "/freezer.state=THAWED");
}

TEST_CASE("freeze --keep leaves the request in place on timeout", "[cgfreeze]") {
  Fixture f;
  f.io.add_v1_cgroup(k_job);
  play_v1_freezer(f.io, k_job, "FREEZING");
  FreezeOptions options{{"build"}, true, "0.2", true};
  CHECK(freeze(f.ctx, options) == ExitStatus::timed_out);
  CHECK(f.io.file(k_job + "/freezer.self_freezing") == "1\n");
}

TEST_CASE("a timed-out freeze of an already frozen request is not thawed", "[cgfreeze]") {
  Fixture f;
  f.io.add_v1_cgroup(k_job);
  f.io.set_file(k_job + "/freezer.self_freezing", "1\n");
  f.io.set_file(k_job + "/freezer.state", "FREEZING\n");
  play_v1_freezer(f.io, k_job, "FREEZING");
  FreezeOptions options{{"build"}, true, "0.1", false};
  CHECK(freeze(f.ctx, options) == ExitStatus::timed_out);
  CHECK(f.io.file(k_job + "/freezer.self_freezing") == "1\n");
}

TEST_CASE("freeze: missing job is 3, the others are still frozen; invalid name changes nothing", "[cgfreeze]") {
  Fixture f;
  f.io.add_v1_cgroup(k_job);
  play_v1_freezer(f.io, k_job);
  CHECK(freeze(f.ctx, FreezeOptions{{"nope", "build"}, true, "", false}) == ExitStatus::no_such_job);
  CHECK(f.io.file(k_job + "/freezer.state") == "FROZEN\n");

  Fixture g;
  g.io.add_v1_cgroup(k_job);
  CHECK(freeze(g.ctx, FreezeOptions{{"build", "../x"}, true, "", false}) == ExitStatus::usage);
  CHECK(g.io.write_log().empty());
  CHECK(freeze(g.ctx, FreezeOptions{{"build"}, true, "-1", false}) == ExitStatus::usage);
  CHECK(g.io.write_log().empty());
}

TEST_CASE("create: bad names and bad PIDs create nothing", "[cgfreeze]") {
  Fixture f;
  CHECK(create(f.ctx, CreateOptions{{"ok", "a//b"}, {}}) == ExitStatus::usage);
  CHECK(create(f.ctx, CreateOptions{{"cgroup.procs"}, {}}) == ExitStatus::usage);
  CHECK(create(f.ctx, CreateOptions{{"ok"}, {"0"}}) == ExitStatus::usage);
  CHECK(create(f.ctx, CreateOptions{{"ok"}, {"abc"}}) == ExitStatus::usage);
  CHECK(create(f.ctx, CreateOptions{{"ok"}, {"4242"}}) == ExitStatus::usage);  // no such process
  CHECK(create(f.ctx, CreateOptions{{"a", "b"}, {"1"}}) == ExitStatus::usage);  // --pid takes one job
  CHECK_FALSE(f.io.exists(k_root + "/ok"));
  CHECK_FALSE(f.io.exists(k_root + "/a"));
  CHECK(create(f.ctx, CreateOptions{{"batch/42"}, {}}) == ExitStatus::ok);
  CHECK(f.io.exists(k_root + "/batch/42/freezer.state"));
  CHECK(create(f.ctx, CreateOptions{{"batch/42"}, {}}) == ExitStatus::ok);  // existing is fine
}

TEST_CASE("add: each PID is tried; kernel threads and gone processes are refused", "[cgfreeze]") {
  Fixture f;
  f.io.add_v1_cgroup(k_job);
  f.add_task(100);
  f.add_task(2, 0x00208040, 0);   // kthreadd
  f.add_task(77, 0x04208040, 2);  // a kernel worker
  CHECK(add(f.ctx, AddOptions{"build", {"100", "2", "77", "31000"}, false}) == ExitStatus::usage);
  CHECK(f.io.write_log() == std::vector<std::string>{k_job + "/cgroup.procs=100"});
}

TEST_CASE("add: a missing job is 3 unless --create; permission errors are 1", "[cgfreeze]") {
  Fixture f;
  f.add_task(100);
  CHECK(add(f.ctx, AddOptions{"new", {"100"}, false}) == ExitStatus::no_such_job);
  CHECK_FALSE(f.io.exists(k_root + "/new"));
  CHECK(add(f.ctx, AddOptions{"new", {"100"}, true}) == ExitStatus::ok);
  CHECK(f.io.file(k_root + "/new/cgroup.procs") == "100");
  f.io.fail("write", k_root + "/new/cgroup.procs", EACCES);
  CHECK(add(f.ctx, AddOptions{"new", {"100"}, false}) == ExitStatus::failed);
}

TEST_CASE("add: a pid recycled after validation is not moved", "[cgfreeze]") {
  Fixture f;
  f.io.add_v1_cgroup(k_job);
  f.add_task(100);
  // Between pinning and moving, the process exits and its PID is reused.
  f.io.on_read("/proc/100/stat", [](FakeSysIo& io) { io.recycle_pid(100); });
  CHECK(add(f.ctx, AddOptions{"build", {"100"}, false}) == ExitStatus::usage);
  CHECK(f.io.write_log().empty());
}

TEST_CASE("rm refuses a job with processes, with the count; nothing removed", "[cgfreeze]") {
  Fixture f;
  f.io.add_v1_cgroup(k_job);
  f.io.add_v1_cgroup(k_job + "/sub");
  f.io.set_file(k_job + "/sub/cgroup.procs", "10\n11\n0\n");
  CHECK(remove(f.ctx, RemoveOptions{{"build"}, false, ""}) == ExitStatus::failed);
  CHECK(f.io.exists(k_job + "/sub"));
  CHECK(remove(f.ctx, RemoveOptions{{"missing"}, false, ""}) == ExitStatus::no_such_job);
}

TEST_CASE("rm removes deepest first and retries rmdir's transient EBUSY", "[cgfreeze]") {
  Fixture f;
  f.io.add_v1_cgroup(k_job);
  f.io.add_v1_cgroup(k_job + "/a");
  f.io.add_v1_cgroup(k_job + "/a/b");
  f.io.fail("rmdir", k_job + "/a/b", EBUSY, 3);
  CHECK(remove(f.ctx, RemoveOptions{{"build"}, false, ""}) == ExitStatus::ok);
  CHECK_FALSE(f.io.exists(k_job));
  CHECK(f.io.exists(k_root));
}

TEST_CASE("thaw --wait of a job frozen by an ancestor fails at once, naming it", "[cgfreeze]") {
  Fixture f;
  f.io.add_v1_cgroup(k_job);
  f.io.set_file(k_root + "/freezer.self_freezing", "1\n");
  f.io.set_file(k_job + "/freezer.state", "FROZEN\n");
  f.io.set_file(k_job + "/freezer.parent_freezing", "1\n");
  auto before = f.io.fake_now();
  CHECK(thaw(f.ctx, FreezeOptions{{"build"}, true, "", false}) == ExitStatus::failed);
  CHECK(f.io.fake_now() == before);  // no waiting at all
}
