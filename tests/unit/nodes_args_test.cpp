// -w/--nodes (tools/common/nodes.h): what a tool checks before any node is
// contacted, and the common options each node's run gets from ours.

#include <catch2/catch.hpp>

#include "tools/common/nodes.h"

using namespace cgjob;

TEST_CASE("each node's run gets our common options, from options or environment", "[nodes]") {
  cli::CommonOptions common;
  CHECK(cli::common_arguments(common) == std::vector<std::string>{"--hierarchy", "auto"});
  common.hierarchy = "v1";
  common.root = "/sys/fs/cgroup/freezer/jobs";
  common.quiet = true;
  common.verbose = true;
  CHECK(cli::common_arguments(common) ==
        std::vector<std::string>{"--hierarchy", "v1", "--root", "/sys/fs/cgroup/freezer/jobs", "-q", "-v"});
}

TEST_CASE("job names are checked as every node will, before any node is contacted", "[nodes]") {
  cli::Reporter reporter("tool");
  reporter.set_quiet(true);
  CHECK(cli::check_job_names({"web", "a/b", "-9", "/system.slice/x"}, reporter));
  CHECK_FALSE(cli::check_job_names({"web", "a/../b"}, reporter));
  CHECK_FALSE(cli::check_job_names({"cgroup.procs"}, reporter));
  CHECK_FALSE(cli::check_job_names({""}, reporter));
}

TEST_CASE("-w and --nodes take a node set, and CGJOB_NODES is their default", "[nodes]") {
  CLI::App app("test", "tool");
  std::string nodes;
  cli::add_nodes_option(app, nodes);
  std::vector<std::string> args = {"node[1-3]", "-w"};  // CLI11 pops from the back
  app.parse(args);
  CHECK(nodes == "node[1-3]");
  CHECK(app.get_option("--nodes")->get_envname() == "CGJOB_NODES");
}

TEST_CASE("a duration for the plan is seconds, or null without one", "[nodes]") {
  CHECK(cli::seconds_or_null(std::nullopt).is_null());
  CHECK(cli::seconds_or_null(std::chrono::milliseconds(1500)).get<double>() == Approx(1.5));
}
