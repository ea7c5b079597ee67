// cgkill: send a signal to every process of a job and of its sub-jobs,
// race-free against forks, as kill(1) does to one process.

#include "tools/cgkill/kill_cmd.h"

#include <cstdlib>

#include "lib/signal/signaller.h"
#include "tools/common/nodes.h"
#include "tools/common/signals.h"

using namespace cgjob;
using namespace cgjob::cgkill;

namespace {

// Options whose next argument is their value, never a -SIGNAL or a JOB.
const std::vector<std::string_view> k_options_with_values = {"--hierarchy", "--root", "--timeout", "--escalate",
                                                             "-s",          "--signal", "-n",        "-w", "--nodes"};

struct Options {
  std::string signal;  ///< -s/--signal, or a rewritten -SIGNAL
  std::string number;  ///< -n
  bool list = false;
  bool wait = false;
  std::string timeout;
  std::string escalate;
  std::vector<std::string> positionals;  ///< JOBs, or the SIGNALs of -l
  std::string nodes;
};

ExitStatus usage(cli::Reporter& reporter, const std::string& text) {
  reporter.error("", text + " (see 'cgkill --help')");
  return ExitStatus::usage;
}

// The signal to send, from -s, -SIGNAL or -n; TERM by default.
std::optional<int> chosen_signal(cli::Reporter& reporter, const Options& options) {
  if (!options.signal.empty() && !options.number.empty()) {
    (void)usage(reporter, "give one signal only (-s, -SIGNAL or -n)");
    return std::nullopt;
  }
  if (options.signal.empty() && options.number.empty()) return SIGTERM;
  auto sig = options.number.empty() ? cli::parse_signal(options.signal) : cli::parse_signal_number(options.number);
  if (!sig) {
    reporter.error("", sig.error().reason());
    return std::nullopt;
  }
  return *sig;
}

// -w: each node runs cgkill with the same signal and waits; the fan-out
// program signals every node even when one fails (cgkill(1), MANY MACHINES).
int on_nodes(const Options& options, const KillRequest& request, const cli::CommonOptions& common,
             cli::Reporter& reporter) {
  if (!cli::check_job_names(options.positionals, reporter)) return static_cast<int>(ExitStatus::usage);
  std::vector<std::string> args = {"-s", std::to_string(request.sig)};
  if (options.wait) args.emplace_back("--wait");
  if (!options.timeout.empty()) args.insert(args.end(), {"--timeout", options.timeout});
  if (!options.escalate.empty()) args.insert(args.end(), {"--escalate", options.escalate});
  args.emplace_back("--");
  args.insert(args.end(), options.positionals.begin(), options.positionals.end());
  cli::NodesPlan plan;
  plan["action"] = "kill";
  plan["jobs"] = options.positionals;
  plan["wait"] = request.wait;
  plan["timeout"] = cli::seconds_or_null(request.timeout);
  plan["args"] = args;
  return cli::run_on_nodes(std::move(plan), options.nodes, common, reporter);
}

}  // namespace

int main(int argc, char** argv) {
  cli::Reporter reporter("cgkill");
  auto raw = cli::arguments(argc, argv);
  if (auto done = cli::answer_lone_version(raw, "cgkill", reporter)) return *done;
  CLI::App app("Send a signal to every process of a job and of its sub-jobs, race-free.", "cgkill");
  app.footer(
      "cgkill [-s SIGNAL | -SIGNAL | -n NUMBER] [--wait] [--timeout DUR] [--escalate DUR] JOB...\n"
      "cgkill -l|--list [SIGNAL...]\n\n"
      "SIGNAL is a name with or without SIG, in any case (TERM, sigkill), a number (9), or RTMIN+n / RTMAX-n;\n"
      "the default is TERM. -SIGNAL (-9, -KILL, -SIGHUP) is the same as -s SIGNAL, as for kill(1).\n"
      "Signal 0 sends nothing: exit 0 when the job has processes, 1 when it is empty.\n"
      "Exit status: 0 done, 1 failed, 2 bad usage or input, 3 no such job, 124 timed out.");
  cli::CommonOptions common;
  cli::add_common_options(app, common);
  Options options;
  app.add_option("-s,--signal", options.signal, "Send SIGNAL instead of TERM")->type_name("SIGNAL");
  app.add_option("-n", options.number, "Send the signal with this number")->type_name("NUMBER");
  app.add_flag("-l,--list", options.list,
               "List the signals (NAME<TAB>NUMBER per line), or translate each SIGNAL: 15 -> TERM, TERM -> 15");
  app.add_flag("--wait", options.wait, "Return once the jobs have no process left");
  app.add_option("--timeout", options.timeout, "Give up waiting after DUR (exit 124)")->type_name("DUR");
  app.add_option("--escalate", options.escalate, "Send KILL to what is left after DUR (implies --wait)")
      ->type_name("DUR");
  app.add_option("JOB", options.positionals, "Jobs to signal (with -l: signals to translate)");
  cli::add_nodes_option(app, options.nodes);

  if (auto misplaced = cli::misplaced_signal_argument(raw, k_options_with_values); !misplaced.empty()) {
    return static_cast<int>(usage(reporter, "'" + misplaced + "' after a JOB: give the signal before the JOBs "
                                            "(a job named '" + misplaced + "' goes after '--')"));
  }
  auto args = cli::rewrite_signal_arguments(raw, k_options_with_values);
  if (auto done = cli::parse_command_line(app, args, reporter)) return *done;
  reporter.set_quiet(common.quiet);
  reporter.set_verbose(common.verbose);

  if (options.list) {
    if (!options.signal.empty() || !options.number.empty() || options.wait || !options.timeout.empty() ||
        !options.escalate.empty()) {
      return static_cast<int>(usage(reporter, "-l takes signals to translate, no other option"));
    }
    return static_cast<int>(list_signals(reporter, options.positionals));
  }

  KillRequest request;
  auto sig = chosen_signal(reporter, options);
  if (!sig) return static_cast<int>(ExitStatus::usage);
  request.sig = *sig;
  if (options.positionals.empty()) return static_cast<int>(usage(reporter, "no JOB given"));
  if (!cli::parse_duration_option(options.timeout, request.timeout, "--timeout", reporter) ||
      !cli::parse_duration_option(options.escalate, request.escalate, "--escalate", reporter)) {
    return static_cast<int>(ExitStatus::usage);
  }
  request.wait = options.wait || request.escalate.has_value();
  if (request.sig == 0 && request.wait) {
    return static_cast<int>(usage(reporter, "signal 0 sends nothing: --wait and --escalate do not apply"));
  }
  if (!options.nodes.empty()) return on_nodes(options, request, common, reporter);

  ExitStatus status = ExitStatus::ok;
  auto root = cli::open_job_root(common, reporter, status);
  if (!root) return static_cast<int>(status);
  auto jobs = cli::parse_jobs(*root, options.positionals, reporter);
  if (!jobs) return static_cast<int>(ExitStatus::usage);
  request.jobs = cli::without_covered_jobs(*root, std::move(*jobs));  // each process signalled once
  // For tests and benchmarks on a kernel with cgroup.signal: the freeze
  // path on the same kernel, to compare with (cgkill(1), ENVIRONMENT).
  if (const char* off = std::getenv("CGJOB_NO_CGROUP_SIGNAL"); off && *off) {
    root->io().capabilities().cgroup_signal_ignored = true;
  }
  raise_fd_limit();
  return static_cast<int>(kill_jobs(*root, reporter, request));
}
