#pragma once
// -w/--nodes NODESET: one run over many machines. The tool checks its own
// command line as for one machine (bad input: exit 2 before any node is
// contacted), then hands the run to the node fan-out program
// (tools/nodes/cgjob-nodes, built on ClusterShell), which runs this same
// tool, from the same absolute path, on every node and merges what they say.

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "tools/common/cli.h"

namespace cgjob::cli {

/// What the fan-out program is to do: "action" and its fields, as
/// tools/nodes/cgjob_nodes/plan.py reads them.
using NodesPlan = nlohmann::ordered_json;

/// Adds -w/--nodes NODESET (env CGJOB_NODES) to `app`.
CLI::Option* add_nodes_option(CLI::App& app, std::string& nodes);

/// The arguments that give each node's run our common options (--hierarchy,
/// --root, -q, -v), whether they came from the command line or the environment.
std::vector<std::string> common_arguments(const CommonOptions& options);

/// Checks JOB arguments as every node will (their syntax; whether an
/// absolute path lies in a node's mount is for the node to say). Prints
/// each bad one; false if any.
bool check_job_names(const std::vector<std::string>& texts, const Reporter& reporter);

/// The plan's "timeout": seconds, or null without a duration.
nlohmann::ordered_json seconds_or_null(const std::optional<Duration>& duration);

/// Hands the run over to the fan-out program with `plan`, to which it adds
/// the node set, this tool's path and the common options. Returns only when
/// that failed, with the exit status (after saying why).
int run_on_nodes(NodesPlan plan, const std::string& nodes, const CommonOptions& common, const Reporter& reporter);

}  // namespace cgjob::cli
