#include "tools/common/nodes.h"

#include <cerrno>
#include <cstdlib>

#include "lib/process/exec_program.h"

namespace cgjob::cli {
namespace {

// Where the fan-out program is, relative to the running tool: installed,
// ${bindir}/TOOL and ${libexecdir}/cgjob/cgjob-nodes; in the build tree,
// tools/TOOL/TOOL and tools/nodes/cgjob-nodes. CGJOB_NODES_PROGRAM names
// another (cgstat(1), ENVIRONMENT).
std::vector<std::string> program_candidates(const std::string& tool_path) {
  if (const char* env = std::getenv("CGJOB_NODES_PROGRAM"); env && *env) return {env};
  std::string dir = tool_path.substr(0, tool_path.rfind('/'));
  return {dir + "/" CGJOB_NODES_FROM_BIN "/cgjob-nodes", dir + "/../nodes/cgjob-nodes"};
}

}  // namespace

CLI::Option* add_nodes_option(CLI::App& app, std::string& nodes) {
  return app.add_option("-w,--nodes", nodes, "Run on every node of NODESET, through ClusterShell")
      ->envname("CGJOB_NODES")
      ->type_name("NODESET");
}

std::vector<std::string> common_arguments(const CommonOptions& options) {
  std::vector<std::string> args = {"--hierarchy", options.hierarchy};
  if (!options.root.empty()) args.insert(args.end(), {"--root", options.root});
  if (options.quiet) args.emplace_back("-q");
  if (options.verbose) args.emplace_back("-v");
  return args;
}

bool check_job_names(const std::vector<std::string>& texts, const Reporter& reporter) {
  bool ok = true;
  for (const auto& text : texts) {
    auto job = JobName::parse(text, "");
    if (!job) {
      reporter.error(text, "invalid job name: " + job.error().reason());
      ok = false;
    }
  }
  return ok;
}

nlohmann::ordered_json seconds_or_null(const std::optional<Duration>& duration) {
  if (!duration) return nullptr;
  return std::chrono::duration<double>(*duration).count();
}

int run_on_nodes(NodesPlan plan, const std::string& nodes, const CommonOptions& common, const Reporter& reporter) {
  auto tool = running_program();
  if (!tool) {
    reporter.failure("", "find this program's path for the nodes", tool.error());
    return static_cast<int>(ExitStatus::failed);
  }
  plan["nodes"] = nodes;
  plan["tool"] = *tool;
  plan["common"] = common_arguments(common);
  plan["quiet"] = common.quiet;
  plan["verbose"] = common.verbose;
  std::vector<std::string> args = {plan.dump(-1, ' ', false, NodesPlan::error_handler_t::replace)};
  Error last = sys_error(ENOENT, "execute", "cgjob-nodes");
  for (const auto& program : program_candidates(*tool)) {
    last = exec_program(program, args);
    if (last.errnum != ENOENT) break;
  }
  reporter.failure("", "start the node fan-out program", last);
  return static_cast<int>(ExitStatus::failed);
}

}  // namespace cgjob::cli
