// cgfreeze -w NODESET and cgfreeze migrate: checked here, carried out by the
// node fan-out program (tools/nodes/cgjob-nodes), which runs cgfreeze on
// each node.

#include "tools/cgfreeze/commands.h"
#include "tools/common/nodes.h"

namespace cgjob::cgfreeze {
namespace {

// `args` (the subcommand, its options, "--" and `jobs`) on every node.
int each_on_nodes(const std::string& nodes, std::vector<std::string> args, const std::vector<std::string>& jobs,
                  const cli::CommonOptions& common, cli::Reporter& reporter) {
  if (!cli::check_job_names(jobs, reporter)) return static_cast<int>(ExitStatus::usage);
  args.emplace_back("--");
  args.insert(args.end(), jobs.begin(), jobs.end());
  cli::NodesPlan plan;
  plan["action"] = "each";
  plan["args"] = std::move(args);
  return cli::run_on_nodes(std::move(plan), nodes, common, reporter);
}

}  // namespace

int freeze_on_nodes(const std::string& nodes, std::string_view verb, const FreezeOptions& options,
                    const cli::CommonOptions& common, cli::Reporter& reporter) {
  std::optional<cli::Duration> timeout;
  if (!cli::parse_duration_option(options.timeout, timeout, "--timeout", reporter) ||
      !cli::check_job_names(options.jobs, reporter)) {
    return static_cast<int>(ExitStatus::usage);
  }
  cli::NodesPlan plan;
  plan["action"] = std::string(verb);
  plan["jobs"] = options.jobs;
  plan["wait"] = options.wait;
  plan["keep"] = options.keep;
  plan["timeout"] = cli::seconds_or_null(timeout);
  plan["timeout_arg"] = options.timeout;
  return cli::run_on_nodes(std::move(plan), nodes, common, reporter);
}

int create_on_nodes(const std::string& nodes, const CreateOptions& options, const cli::CommonOptions& common,
                    cli::Reporter& reporter) {
  std::vector<std::string> args = {"create"};
  if (options.steal) args.emplace_back("--steal");
  return each_on_nodes(nodes, std::move(args), options.jobs, common, reporter);
}

int remove_on_nodes(const std::string& nodes, const RemoveOptions& options, const cli::CommonOptions& common,
                    cli::Reporter& reporter) {
  std::optional<cli::Duration> timeout;
  if (!cli::parse_duration_option(options.timeout, timeout, "--timeout", reporter)) {
    return static_cast<int>(ExitStatus::usage);
  }
  std::vector<std::string> args = {"rm"};
  if (options.kill) args.emplace_back("--kill");
  if (!options.timeout.empty()) args.insert(args.end(), {"--timeout", options.timeout});
  return each_on_nodes(nodes, std::move(args), options.jobs, common, reporter);
}

int migrate(const MigrateOptions& options, const cli::CommonOptions& common, cli::Reporter& reporter) {
  std::optional<cli::Duration> timeout;
  if (!cli::parse_duration_option(options.timeout, timeout, "--timeout", reporter) ||
      !cli::check_job_names({options.job}, reporter)) {
    return static_cast<int>(ExitStatus::usage);
  }
  cli::NodesPlan plan;
  plan["action"] = "migrate";
  plan["job"] = options.job;
  plan["from"] = options.from;
  plan["to"] = options.to;
  plan["timeout"] = cli::seconds_or_null(timeout);
  plan["timeout_arg"] = options.timeout;
  // The node set is the two nodes; the fan-out program checks each is one.
  return cli::run_on_nodes(std::move(plan), options.from + "," + options.to, common, reporter);
}

}  // namespace cgjob::cgfreeze
