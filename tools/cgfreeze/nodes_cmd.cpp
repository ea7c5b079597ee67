// cgfreeze -w NODESET and cgfreeze migrate: checked here, carried out by the
// node fan-out program (tools/nodes/cgjob-nodes), which runs cgfreeze on
// each node.

#include "tools/cgfreeze/commands.h"
#include "tools/common/nodes.h"

namespace cgjob::cgfreeze {

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

int each_on_nodes(const std::string& nodes, std::vector<std::string> args, const std::vector<std::string>& jobs,
                  const cli::CommonOptions& common, cli::Reporter& reporter) {
  if (!cli::check_job_names(jobs, reporter)) return static_cast<int>(ExitStatus::usage);
  cli::NodesPlan plan;
  plan["action"] = "each";
  plan["args"] = std::move(args);
  return cli::run_on_nodes(std::move(plan), nodes, common, reporter);
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
