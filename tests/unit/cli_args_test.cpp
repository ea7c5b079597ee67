// Reading the command line (issue 12's bad-input matrix): an argument that
// starts with '-' is an option, never a JOB, as for getopt (`cgfreeze create
// -9` made a job named "-9"); -q silences the usage errors too.

#include <catch2/catch.hpp>

#include "tools/common/cli.h"

using namespace cgjob;

namespace {

struct Parsed {
  std::optional<int> exit;
  std::vector<std::string> jobs;
  std::string timeout;
  bool quiet;  ///< the reporter was quiet after parsing
};

// A tool with a flag, a valued option and JOBs, plus a subcommand with its own.
// `quiet`: set the reporter quiet first (else it is verbose, so that whether
// parsing made it quiet shows; nothing the cases below parse prints).
Parsed parse(std::vector<std::string> args, bool quiet = true) {
  CLI::App app("test", "tool");
  cli::CommonOptions common;
  cli::add_common_options(app, common);
  std::string timeout, sub_timeout;
  bool wait = false, kill = false;
  std::vector<std::string> jobs, sub_jobs;
  app.add_option("--timeout", timeout);
  app.add_flag("--wait", wait);
  app.add_option("JOB", jobs);
  auto* rm = app.add_subcommand("rm", "");
  rm->add_flag("--kill", kill);
  rm->add_option("--timeout", sub_timeout);
  rm->add_option("JOB", sub_jobs);
  cli::Reporter reporter("tool");
  reporter.set_verbose(true);  // verbose() is false once it is quiet
  reporter.set_quiet(quiet);
  auto exit = cli::parse_command_line(app, args, reporter);
  jobs.insert(jobs.end(), sub_jobs.begin(), sub_jobs.end());
  return {exit, jobs, timeout.empty() ? sub_timeout : timeout, !reporter.verbose()};
}

}  // namespace

TEST_CASE("a JOB that looks like a negative number is an unknown option", "[cli][inputs]") {
  for (std::vector<std::string> args : {std::vector<std::string>{"-9"},
                                        {"job", "-9"},
                                        {"-1.5"},
                                        {"--wait", "-9"},
                                        {"rm", "-9"},
                                        {"rm", "--kill", "-9"},
                                        {"-+x"}}) {
    INFO(args.back());
    auto p = parse(args);
    REQUIRE(p.exit);
    CHECK(*p.exit == 2);
    CHECK(p.jobs.empty());
  }
}

TEST_CASE("after '--', or as an option's value, a leading '-' is data", "[cli][inputs]") {
  auto p = parse({"--", "-9"});
  CHECK_FALSE(p.exit);
  CHECK(p.jobs == std::vector<std::string>{"-9"});

  p = parse({"rm", "--kill", "--", "-9"});
  CHECK_FALSE(p.exit);
  CHECK(p.jobs == std::vector<std::string>{"-9"});

  // The value reaches its own parser (a negative duration is refused there).
  p = parse({"--timeout", "-1", "job"});
  CHECK_FALSE(p.exit);
  CHECK(p.timeout == "-1");
  p = parse({"rm", "--timeout", "-1", "job"});
  CHECK_FALSE(p.exit);
  CHECK(p.timeout == "-1");
}

TEST_CASE("-q silences the reporter before the command line is read", "[cli][inputs]") {
  for (std::vector<std::string> args : {std::vector<std::string>{"-q", "--bogus"},
                                        {"--bogus", "-q"},
                                        {"--quiet", "job"},
                                        {"-qv", "job"},
                                        {"rm", "-vq", "--timeout", "", "job"}}) {
    INFO(args[0] + " " + args[1]);
    CHECK(parse(args, false).quiet);
  }
  for (std::vector<std::string> args : {std::vector<std::string>{"--timeout", "-q", "job"},  // a value
                                        {"--", "-q"}}) {                                   // a JOB
    INFO(args[0] + " " + args[1]);
    CHECK_FALSE(parse(args, false).quiet);
  }
}
