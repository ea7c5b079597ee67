#include <catch2/catch.hpp>

#include "lib/cgroup/job_name.h"

using cgjob::JobName;

namespace {
constexpr const char* k_mount = "/sys/fs/cgroup/unified";
}

TEST_CASE("valid relative job names are accepted", "[name]") {
  for (const char* name : {"build", "batch/42", "a.b", "user@1000", "x:y+z-1_2", "nightly.2026", "B", "a/b/c"}) {
    INFO(name);
    auto job = JobName::parse(name, k_mount);
    REQUIRE(job);
    CHECK_FALSE(job->absolute);
    CHECK(job->relative == name);
  }
  CHECK(JobName::parse(std::string(255, 'a'), k_mount));
}

TEST_CASE("names that could leave the job root or clash with control files are refused", "[name]") {
  for (const char* name : {"", "..", ".", "../x", "a/../b", "a//b", "a/./b", ".hidden", "a/.b", "cgroup.procs",
                           "cgroup.freeze", "freezer.state", "memory.max", "cpu.weight", "io.x", "tasks",
                           "notify_on_release", "a/cgroup.kill", "sp ace", "tab\t", "star*", "a\\b", "é"}) {
    INFO(name);
    auto job = JobName::parse(name, k_mount);
    REQUIRE_FALSE(job);
    CHECK(job.error().bad_input);
  }
  CHECK_FALSE(JobName::parse(std::string(256, 'a'), k_mount));
}

TEST_CASE("absolute job paths name existing cgroups from the mount root", "[name]") {
  auto from_root = JobName::parse("/system.slice/nginx.service", k_mount);
  REQUIRE(from_root);
  CHECK(from_root->absolute);
  CHECK(from_root->relative == "system.slice/nginx.service");

  auto full = JobName::parse("/sys/fs/cgroup/unified/system.slice/x", k_mount);
  REQUIRE(full);
  CHECK(full->relative == "system.slice/x");

  for (const char* path : {"/", "//", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/unified/", "/a/../b", "/a//b"}) {
    INFO(path);
    CHECK_FALSE(JobName::parse(path, k_mount));
  }
}
