#pragma once
// cgfreeze's subcommands. Each parses nothing itself: main.cpp fills the
// options, the command validates all input first, then acts.

#include <optional>
#include <string>
#include <vector>

#include "lib/signal/signaller.h"
#include "tools/common/cli.h"

namespace cgjob::cgfreeze {

using cli::ExitStatus;

struct Context {
  JobRoot& root;
  cli::Reporter& reporter;
};

struct FreezeOptions {
  std::vector<std::string> jobs;
  bool wait = false;
  std::string timeout;
  bool keep = false;
};
ExitStatus freeze(Context& ctx, const FreezeOptions& options);
ExitStatus thaw(Context& ctx, const FreezeOptions& options);

struct CreateOptions {
  std::vector<std::string> jobs;
  std::vector<std::string> pids;
  bool steal = false;  ///< move processes of other systemd units too
};
ExitStatus create(Context& ctx, const CreateOptions& options);

struct AddOptions {
  std::string job;
  std::vector<std::string> pids;
  bool create = false;
  bool steal = false;  ///< move processes of other systemd units too
};
ExitStatus add(Context& ctx, const AddOptions& options);

struct RunOptions {
  std::string job;
  std::vector<std::string> command;
  bool detach = false;
};
/// Returns the command's exit code (or 128+N), or an ExitStatus on failure.
int run(Context& ctx, const RunOptions& options);

struct RemoveOptions {
  std::vector<std::string> jobs;
  bool kill = false;
  std::string timeout;
};
ExitStatus remove(Context& ctx, const RemoveOptions& options);

struct CheckpointOptions {
  std::string job;
  std::string dir;
  std::string leave;  ///< running, frozen, killed; "" as the job is
  std::string timeout;
};
ExitStatus checkpoint(Context& ctx, const CheckpointOptions& options);

struct RestoreOptions {
  std::string job;
  std::string dir;
  bool frozen = false;
  bool thawed = false;
  bool detach = false;
  std::string timeout;
};
/// Returns the restored root's exit code (or 128+N), or an ExitStatus on failure.
int restore(Context& ctx, const RestoreOptions& options);

/// -w/--nodes (nodes_cmd.cpp): the command line is checked here, then the
/// node fan-out program runs cgfreeze on every node. Return only on failure
/// to start it, or with 2 for bad input.
int freeze_on_nodes(const std::string& nodes, std::string_view verb, const FreezeOptions& options,
                    const cli::CommonOptions& common, cli::Reporter& reporter);
/// create (without --pid) and rm: the same command on every node, the
/// highest status wins.
int create_on_nodes(const std::string& nodes, const CreateOptions& options, const cli::CommonOptions& common,
                    cli::Reporter& reporter);
int remove_on_nodes(const std::string& nodes, const RemoveOptions& options, const cli::CommonOptions& common,
                    cli::Reporter& reporter);

struct MigrateOptions {
  std::string job;
  std::string from;  ///< one node
  std::string to;    ///< one node
  std::string timeout;
};
/// Moves JOB from one node to another (checkpoint, copy, restore).
int migrate(const MigrateOptions& options, const cli::CommonOptions& common, cli::Reporter& reporter);

}  // namespace cgjob::cgfreeze
