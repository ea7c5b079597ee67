// Hostile names and input (issue 11): empty option values, a job root at the
// mount root, directory names that are no job names, overlapping JOBs.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>

#include "lib/base/uapi.h"
#include "lib/parse/mountinfo.h"
#include "tests/support/fake_sys_io.h"
#include "tools/cgstat/gather.h"
#include "tools/cgstat/render.h"
#include "tools/common/cli.h"

using namespace cgjob;
using namespace cgjob::testing;

namespace {

const std::string k_mount = "/cg/unified";
const std::string k_root = "/cg/unified/cgjobs";

// The names a delegated user might give a directory below the job root.
const std::vector<std::string> k_hostile = {"$(touch pwned)", "`touch pwned`", "x;y", "a b", "*", "tab\there",
                                            "esc\x1b[31m", ".hidden", "cgroup.evil", "..."};

struct ParseResult {
  std::optional<int> exit;
  std::string timeout;
  std::string root;
};

// Runs parse_command_line on a small app with a duration option, a signal
// option, a flag and the common options (with their environment variables).
ParseResult parse(std::vector<std::string> args) {
  CLI::App app("test", "tool");
  cli::CommonOptions common;
  cli::add_common_options(app, common);
  std::string timeout, signal;
  bool wait = false;
  std::vector<std::string> jobs;
  app.add_option("--timeout", timeout);
  app.add_option("-s,--signal", signal);
  app.add_flag("--wait", wait);
  app.add_option("JOB", jobs);
  cli::Reporter reporter("tool");
  reporter.set_quiet(true);
  auto exit = cli::parse_command_line(app, args, reporter);
  return {exit, timeout, common.root};
}

std::vector<JobName> names(const JobRoot& root, std::vector<std::string> texts) {
  std::vector<JobName> out;
  for (const auto& t : texts) {
    auto n = root.parse(t);
    REQUIRE(n);
    out.push_back(*n);
  }
  return out;
}

std::vector<std::string> texts(const std::vector<JobName>& jobs) {
  std::vector<std::string> out;
  for (const auto& j : jobs) out.push_back(j.text);
  return out;
}

}  // namespace

TEST_CASE("an empty or blank option value is bad usage, never 'not given'", "[cli][inputs]") {
  for (std::vector<std::string> args : {std::vector<std::string>{"--timeout", "", "job"},
                                        {"--timeout=", "job"},
                                        {"--timeout", " \t", "job"},
                                        {"-s", "", "job"},
                                        {"--signal=", "job"},
                                        {"--root", "", "job"},
                                        {"--hierarchy", "", "job"}}) {
    INFO(args[0]);
    CHECK(parse(args).exit == 2);
  }
  auto ok = parse({"--wait", "--timeout", "5", "job"});
  CHECK_FALSE(ok.exit);
  CHECK(ok.timeout == "5");
  // Positionals are not options: an empty JOB is left to the job-name check.
  CHECK_FALSE(parse({"job", ""}).exit);
}

TEST_CASE("an empty environment variable counts as unset; a blank one is bad usage", "[cli][inputs]") {
  ::setenv("CGJOB_ROOT", "", 1);
  auto empty = parse({"job"});
  CHECK_FALSE(empty.exit);
  CHECK(empty.root.empty());
  ::setenv("CGJOB_ROOT", "  ", 1);
  CHECK(parse({"job"}).exit == 2);
  ::setenv("CGJOB_ROOT", "/cg/unified/jobs", 1);
  CHECK(parse({"job"}).root == "/cg/unified/jobs");
  ::unsetenv("CGJOB_ROOT");
}

TEST_CASE("a job root at a cgroup mount root is refused as bad input", "[hierarchy][inputs]") {
  FakeSysIo io;
  io.set_fs_magic("/", 0xEF53);                  // ext4
  io.set_fs_magic("/sys/fs/cgroup", 0x01021994);  // tmpfs
  io.set_fs_magic("/sys/fs/cgroup/freezer", CGROUP_SUPER_MAGIC);
  io.set_fs_magic("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC);
  auto mounts = parse_mountinfo(
      "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
  for (const char* root : {"/sys/fs/cgroup/unified", "/sys/fs/cgroup/unified/", "/sys/fs/cgroup/unified/.",
                           "//sys/fs/cgroup/freezer", "/sys/fs/cgroup/freezer/./"}) {
    INFO(root);
    auto layout = resolve_layout(io, mounts, {HierarchyChoice::automatic, std::string(root)});
    REQUIRE_FALSE(layout);
    CHECK(layout.error().bad_input);
    CHECK_THAT(layout.error().reason(), Catch::Contains("mount root"));
  }
  auto below = resolve_layout(io, mounts, {HierarchyChoice::automatic, std::string("/sys/fs/cgroup/unified/jobs")});
  REQUIRE(below);
  CHECK(below->root == "/sys/fs/cgroup/unified/jobs");
}

TEST_CASE("is_job_path: every component must be a valid job name component", "[job_name][inputs]") {
  CHECK(is_job_path("build"));
  CHECK(is_job_path("batch/42"));
  for (const auto& bad : k_hostile) {
    INFO(bad);
    CHECK_FALSE(is_job_path(bad));
    CHECK_FALSE(is_job_path("good/" + bad));
    CHECK_FALSE(is_job_path(bad + "/inner"));
  }
  CHECK_FALSE(is_job_path(""));
  CHECK_FALSE(is_job_path("a//b"));
}

TEST_CASE("listings skip directories that are not valid job names, and what is below them", "[stat][inputs]") {
  FakeSysIo io;
  JobRoot root{io, Layout{HierarchyKind::v2, k_mount, k_root}};
  io.add_v2_cgroup(k_mount);
  io.remove(k_mount + "/cgroup.freeze");
  io.add_v2_cgroup(k_root);
  for (const auto* name : {"good", "good/child"}) io.add_v2_cgroup(k_root + "/" + name);
  for (const auto& bad : k_hostile) {
    io.add_v2_cgroup(k_root + "/" + bad);
    io.add_v2_cgroup(k_root + "/" + bad + "/inner");
    io.add_v2_cgroup(k_root + "/good/" + bad);
  }
  const std::vector<std::string> want = {"good", "good/child"};

  auto listed = cgstat::job_names(root);  // --names, for the completions
  REQUIRE(listed);
  CHECK(*listed == want);
  auto jobs = root.list_jobs();
  REQUIRE(jobs);
  CHECK(*jobs == want);

  cli::Reporter reporter("cgstat");
  reporter.set_quiet(true);
  cli::ExitStatus status = cli::ExitStatus::ok;
  auto rows = cgstat::gather(root, {}, {}, reporter, status);  // table and JSON, every job
  CHECK(status == cli::ExitStatus::ok);
  std::vector<std::string> shown;
  for (const auto& r : rows) shown.push_back(r.name);
  CHECK(shown == want);
  auto doc = nlohmann::json::parse(cgstat::render_json(root.layout(), rows, false));
  CHECK(doc["jobs"].size() == 2);

  cgstat::GatherOptions recursive;
  recursive.recursive = true;
  rows = cgstat::gather(root, names(root, {"good"}), recursive, reporter, status);  // -r good
  shown.clear();
  for (const auto& r : rows) shown.push_back(r.name);
  CHECK(shown == want);
}

TEST_CASE("v1: a process in a skipped directory still makes its parent populated", "[stat][inputs]") {
  const std::string mount = "/cg/freezer";
  const std::string jobs_root = mount + "/cgjobs";
  FakeSysIo io;
  JobRoot root{io, Layout{HierarchyKind::v1, mount, jobs_root}};
  io.add_v1_cgroup(mount);
  io.add_v1_cgroup(jobs_root);
  io.add_v1_cgroup(jobs_root + "/good");
  io.add_v1_cgroup(jobs_root + "/good/a b");
  io.set_file(jobs_root + "/good/a b/cgroup.procs", "42\n");
  cli::Reporter reporter("cgstat");
  reporter.set_quiet(true);
  cli::ExitStatus status = cli::ExitStatus::ok;
  auto rows = cgstat::gather(root, {}, {}, reporter, status);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].name == "good");
  CHECK(rows[0].status.populated);
}

TEST_CASE("without_covered_jobs: repeats and jobs within another given job go", "[cli][inputs]") {
  FakeSysIo io;
  JobRoot root{io, Layout{HierarchyKind::v2, k_mount, k_root}};
  auto kept = [&](std::vector<std::string> given) { return texts(cli::without_covered_jobs(root, names(root, given))); };
  using V = std::vector<std::string>;
  CHECK(kept({"b", "b/sub"}) == V{"b"});
  CHECK(kept({"b/sub", "b"}) == V{"b"});
  CHECK(kept({"b", "b"}) == V{"b"});
  CHECK(kept({"b/sub", "b/sub/"}) == V{"b/sub"});
  CHECK(kept({k_root + "/b", "b/sub", "b"}) == V{k_root + "/b"});
  CHECK(kept({"a", "b/sub", "bb", "b/sub/x", "a/y"}) == V{"a", "b/sub", "bb"});  // "bb" is not within "b"
  CHECK(kept({"b/x", "c", "b/y"}) == V{"b/x", "c", "b/y"});
  CHECK(kept({}).empty());
}
