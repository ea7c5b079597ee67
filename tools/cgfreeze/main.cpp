// cgfreeze: create jobs (cgroups), move processes in, run commands inside,
// freeze, thaw and remove them.

#include <algorithm>

#include "lib/checkpoint/checkpoint.h"
#include "lib/io/sys_io.h"
#include "tools/cgfreeze/commands.h"
#include "tools/common/nodes.h"

using namespace cgjob;
using namespace cgjob::cgfreeze;

namespace {

constexpr std::string_view k_subcommands[] = {"freeze", "thaw", "create", "add", "run", "rm",
                                                "checkpoint", "restore", "migrate"};
const std::vector<std::string_view> k_options_with_values = {"--hierarchy", "--root", "--timeout", "--pid", "--leave",
                                                             "-w",          "--nodes", "--from",   "--to"};

bool is_subcommand(std::string_view word) {
  return std::find(std::begin(k_subcommands), std::end(k_subcommands), word) != std::end(k_subcommands);
}

// `cgfreeze JOB...` means `cgfreeze freeze JOB...`; `cgfreeze freeze thaw`
// reaches a job named "thaw". `run JOB -- COMMAND...`: everything after the
// first "--" is the command, untouched by option parsing.
std::vector<std::string> split_command(std::vector<std::string>& args) {
  std::size_t first = cli::first_positional(args, k_options_with_values);
  bool help_or_version = std::any_of(args.begin(), args.end(), [](const std::string& a) {
    return a == "-h" || a == "--help" || a == "-V" || a == "--version";
  });
  if (first < args.size() ? !is_subcommand(args[first]) : !help_or_version && !args.empty()) {
    args.insert(args.begin(), "freeze");
    first = 0;
  }
  std::vector<std::string> command;
  if (first < args.size() && args[first] == "run") {
    auto dashes = std::find(args.begin() + static_cast<long>(first), args.end(), "--");
    if (dashes != args.end()) {
      command.assign(dashes + 1, args.end());
      args.erase(dashes, args.end());
    }
  }
  return command;
}

}  // namespace

int main(int argc, char** argv) {
  // Started by CRIU as its action script during `cgfreeze restore`.
  if (is_restore_action()) return run_restore_action(real_sys_io());
  cli::Reporter reporter("cgfreeze");
  auto args = cli::arguments(argc, argv);
  // `--version -v`: the version, and whether checkpoint/restore can run here.
  if (args.size() == 2 && (args[0] == "--version" || args[0] == "-V") && (args[1] == "-v" || args[1] == "--verbose")) {
    args.pop_back();
    if (auto done = cli::answer_lone_version(args, "cgfreeze", reporter); done && *done != 0) return *done;
    auto criu = probe_criu();
    std::string line = criu.usable ? "checkpoint: yes (criu " + criu.version + ")\n"
                                   : "checkpoint: no (" + criu.reason + ")\n";
    return cli::put_stdout(line, reporter) ? 0 : 1;
  }
  if (auto done = cli::answer_lone_version(args, "cgfreeze", reporter)) return *done;
  CLI::App app("Freeze, thaw and manage jobs: groups of processes in a cgroup.", "cgfreeze");
  app.fallthrough();  // common options may follow the subcommand
  app.require_subcommand(0, 1);
  cli::CommonOptions common;
  cli::add_common_options(app, common);
  std::string nodes;
  cli::add_nodes_option(app, nodes);

  FreezeOptions freeze_opts;
  auto* freeze_cmd = app.add_subcommand("freeze", "Freeze JOBs (the default subcommand)");
  freeze_cmd->add_flag("--wait", freeze_opts.wait, "Return once every JOB is FROZEN");
  freeze_cmd->add_option("--timeout", freeze_opts.timeout, "Give up waiting after DUR (exit 124)")->type_name("DUR");
  freeze_cmd->add_flag("--keep", freeze_opts.keep, "On timeout, leave the freeze request in place");
  freeze_cmd->add_option("JOB", freeze_opts.jobs, "Jobs to freeze")->required();

  FreezeOptions thaw_opts;
  auto* thaw_cmd = app.add_subcommand("thaw", "Thaw JOBs");
  thaw_cmd->add_flag("--wait", thaw_opts.wait, "Return once every JOB is THAWED");
  thaw_cmd->add_option("--timeout", thaw_opts.timeout, "Give up waiting after DUR (exit 124)")->type_name("DUR");
  thaw_cmd->add_option("JOB", thaw_opts.jobs, "Jobs to thaw")->required();

  CreateOptions create_opts;
  auto* create_cmd = app.add_subcommand("create", "Create JOBs (and missing parents)");
  create_cmd->add_option("--pid", create_opts.pids, "Move process PID into the new job")->type_name("PID");
  create_cmd->add_flag("--steal", create_opts.steal, "Move a PID even out of another systemd unit");
  create_cmd->add_option("JOB", create_opts.jobs, "Jobs to create")->required();

  AddOptions add_opts;
  auto* add_cmd = app.add_subcommand("add", "Move processes into JOB");
  add_cmd->add_flag("--create", add_opts.create, "Create JOB first if it does not exist");
  add_cmd->add_flag("--steal", add_opts.steal, "Move a PID even out of another systemd unit");
  add_cmd->add_option("JOB", add_opts.job, "The job")->required();
  add_cmd->add_option("PID", add_opts.pids, "Processes to move (all their threads)")->required();

  RunOptions run_opts;
  std::vector<std::string> run_positionals;
  auto* run_cmd = app.add_subcommand("run", "Run COMMAND inside JOB: cgfreeze run JOB -- COMMAND [ARG...]");
  run_cmd->add_flag("--detach", run_opts.detach, "Print COMMAND's PID and return at once");
  run_cmd->add_option("JOB", run_opts.job, "The job (created if needed)")->required();
  run_cmd->add_option("COMMAND", run_positionals, "The command and its arguments, after --");

  RemoveOptions rm_opts;
  auto* rm_cmd = app.add_subcommand("rm", "Remove JOBs and their sub-jobs");
  rm_cmd->add_flag("--kill", rm_opts.kill, "Kill the processes first, race-free, and wait for them");
  rm_cmd->add_option("--timeout", rm_opts.timeout, "Give up waiting for the processes after DUR (exit 124)")
      ->type_name("DUR");
  rm_cmd->add_option("JOB", rm_opts.jobs, "Jobs to remove")->required();

  CheckpointOptions checkpoint_opts;
  auto* checkpoint_cmd = app.add_subcommand("checkpoint", "Save JOB and its sub-jobs to DIR with CRIU");
  checkpoint_cmd->add_option("--leave", checkpoint_opts.leave, "Leave the job running, frozen or killed afterwards")
      ->type_name("running|frozen|killed");
  checkpoint_cmd->add_option("--timeout", checkpoint_opts.timeout, "Give up waiting for the lock or the freeze after DUR")
      ->type_name("DUR");
  checkpoint_cmd->add_option("JOB", checkpoint_opts.job, "The job")->required();
  checkpoint_cmd->add_option("DIR", checkpoint_opts.dir, "Where to save it (made; an empty one will do)")->required();

  RestoreOptions restore_opts;
  auto* restore_cmd = app.add_subcommand("restore", "Start the job saved in DIR again as JOB");
  restore_cmd->add_flag("--frozen", restore_opts.frozen, "Restore it frozen");
  restore_cmd->add_flag("--thawed", restore_opts.thawed, "Restore it running");
  restore_cmd->add_flag("--detach", restore_opts.detach, "Print the root PID and return at once");
  restore_cmd->add_option("JOB", restore_opts.job, "The job (made; an existing one must be empty)")->required();
  restore_cmd->add_option("DIR", restore_opts.dir, "A directory made by cgfreeze checkpoint")->required();

  MigrateOptions migrate_opts;
  auto* migrate_cmd = app.add_subcommand("migrate", "Move JOB from one node to another: checkpoint, copy, restore");
  migrate_cmd->add_option("--timeout", migrate_opts.timeout, "Give up waiting for the lock or the freeze after DUR")
      ->type_name("DUR");
  migrate_cmd->add_option("--from", migrate_opts.from, "The node the job runs on")->type_name("NODE")->required();
  migrate_cmd->add_option("--to", migrate_opts.to, "The node to move it to")->type_name("NODE")->required();
  migrate_cmd->add_option("JOB", migrate_opts.job, "The job")->required();

  auto command = split_command(args);
  if (auto done = cli::parse_command_line(app, args, reporter)) return *done;
  if (app.get_subcommands().empty()) {
    reporter.error("", "no JOB given (see 'cgfreeze --help')");
    return static_cast<int>(ExitStatus::usage);
  }

  reporter.set_quiet(common.quiet);
  reporter.set_verbose(common.verbose);
  if (migrate_cmd->parsed()) return migrate(migrate_opts, common, reporter);
  if (!nodes.empty()) {
    if (freeze_cmd->parsed()) return freeze_on_nodes(nodes, "freeze", freeze_opts, common, reporter);
    if (thaw_cmd->parsed()) return freeze_on_nodes(nodes, "thaw", thaw_opts, common, reporter);
    if (create_cmd->parsed() && create_opts.pids.empty()) return create_on_nodes(nodes, create_opts, common, reporter);
    if (rm_cmd->parsed()) return remove_on_nodes(nodes, rm_opts, common, reporter);
    reporter.error("", "-w/--nodes (or CGJOB_NODES): only freeze, thaw, create (without --pid) and rm "
                       "run on many nodes (see 'cgfreeze --help')");
    return static_cast<int>(ExitStatus::usage);
  }

  ExitStatus status = ExitStatus::ok;
  auto root = cli::open_job_root(common, reporter, status);
  if (!root) return static_cast<int>(status);
  // run needs no pidfd per process, and COMMAND inherits our limits: it gets
  // the caller's soft RLIMIT_NOFILE (a raised one breaks select() users).
  if (!run_cmd->parsed()) raise_fd_limit();
  Context ctx{*root, reporter};

  if (freeze_cmd->parsed()) return static_cast<int>(freeze(ctx, freeze_opts));
  if (thaw_cmd->parsed()) return static_cast<int>(thaw(ctx, thaw_opts));
  if (create_cmd->parsed()) return static_cast<int>(create(ctx, create_opts));
  if (add_cmd->parsed()) return static_cast<int>(add(ctx, add_opts));
  if (rm_cmd->parsed()) return static_cast<int>(remove(ctx, rm_opts));
  if (checkpoint_cmd->parsed()) return static_cast<int>(checkpoint(ctx, checkpoint_opts));
  if (restore_cmd->parsed()) return restore(ctx, restore_opts);
  run_opts.command = command.empty() ? run_positionals : command;
  return run(ctx, run_opts);
}
