// cgstat: report the freezer state, populated flag and processes of jobs as
// a table or a JSON document, or follow their changes (--watch).

#include <csignal>
#include <cstdio>

#include "tools/cgstat/columns.h"
#include "tools/cgstat/gather.h"
#include "tools/cgstat/render.h"
#include "tools/cgstat/watch.h"
#include "tools/common/cli.h"
#include "tools/common/nodes.h"

using namespace cgjob;
using namespace cgjob::cgstat;
using cli::ExitStatus;

namespace {

struct Options {
  bool recursive = false;
  bool json = false;
  bool procs = false;
  std::string columns;
  bool noheadings = false;
  bool watch = false;
  std::string timeout;
  bool list_columns = false;
  bool names = false;
  std::vector<std::string> jobs;
  std::string nodes;
};

int list_names(const JobRoot& root, cli::Reporter& reporter) {
  auto names = job_names(root);
  if (!names) {
    reporter.failure("", "list the jobs", names.error());
    return static_cast<int>(cli::status_for(names.error()));
  }
  std::string out;
  for (const auto& n : *names) out.append(n).append("\n");
  return cli::put_stdout(out, reporter) ? 0 : static_cast<int>(ExitStatus::failed);
}

ExitStatus watch(const JobRoot& root, const Options& o, const std::vector<JobName>& jobs,
                 std::optional<cli::Duration> timeout, cli::Reporter& reporter) {
  // SIGINT/SIGTERM end the watch normally (exit 0): read from an fd, not
  // delivered, so that a line is never cut in half.
  const int stop_signals[] = {SIGINT, SIGTERM};
  auto stop = SignalFd::block(stop_signals);
  if (!stop) reporter.failure("", "watch for SIGINT", stop.error());

  std::unique_ptr<EventWatch> events;
  if (root.freezer().traits().notifies_changes) {
    auto opened = open_inotify_watch();
    if (opened) {
      events = std::move(*opened);
    } else {
      reporter.failure("", "watch for events", opened.error());
      reporter.error("", "polling instead");
    }
  }
  Watcher watcher(
      root, events.get(),
      [&](const WatchLine& line) {
        return cli::put_stdout(format_watch_line(line, o.json, std::chrono::system_clock::now()), reporter);
      },
      reporter);
  ExitStatus status = watcher.start(jobs, o.recursive);
  if (!watcher.watching_anything()) return status;
  auto deadline = Deadline::after_optional(root.io(), timeout);
  return worst(status, watcher.run(deadline, stop ? &*stop : nullptr));
}

// -w: every node runs `cgstat --json` (or --watch), and the fan-out program
// merges them into one document, stream or table (cgstat(1), MANY MACHINES).
int on_nodes(const Options& o, const std::vector<const JobColumn*>& columns, const cli::CommonOptions& common,
             cli::Reporter& reporter) {
  if (!cli::check_job_names(o.jobs, reporter)) return static_cast<int>(ExitStatus::usage);
  cli::NodesPlan plan;
  std::vector<std::string> args;
  if (o.names) {
    plan["action"] = "names";
    args = {"--names"};
  } else {
    plan["action"] = "stat";
    plan["json"] = o.json;
    plan["watch"] = o.watch;
    plan["headings"] = !o.noheadings;
    plan["procs"] = o.procs;
    plan["columns"] = nlohmann::ordered_json::array();
    for (const auto* c : columns) {
      plan["columns"].push_back({{"header", std::string(c->header)},
                                {"key", std::string(c->json_key)},
                                {"right", cli::right_aligned(c->type)}});
    }
    if (o.recursive) args.emplace_back("-r");
    if (o.procs) args.emplace_back("--procs");
    if (o.watch) {
      args.emplace_back("--watch");
      if (o.json) args.emplace_back("--json");
      if (!o.timeout.empty()) args.insert(args.end(), {"--timeout", o.timeout});
    } else {
      args.emplace_back("--json");
    }
    args.emplace_back("--");
    args.insert(args.end(), o.jobs.begin(), o.jobs.end());
  }
  plan["args"] = args;
  return cli::run_on_nodes(std::move(plan), o.nodes, common, reporter);
}

}  // namespace

int main(int argc, char** argv) {
  cli::Reporter reporter("cgstat");
  auto args = cli::arguments(argc, argv);
  if (auto done = cli::answer_lone_version(args, "cgstat", reporter)) return *done;
  CLI::App app("Report the freezer state and the processes of jobs.", "cgstat");
  cli::CommonOptions common;
  cli::add_common_options(app, common);
  Options o;
  app.add_flag("-r,--recursive", o.recursive, "Report the sub-jobs of each JOB too");
  app.add_flag("--json", o.json, "Print a JSON document (with --watch: one JSON object per line)");
  auto* procs = app.add_flag("--procs", o.procs, "Report each process too: PID, command, state, wait channel");
  auto* output = app.add_option("-o,--output", o.columns, "Columns of the table, comma-separated (see below)")
                     ->type_name("COLUMNS");
  app.add_flag("-n,--noheadings", o.noheadings, "Print no header line");
  auto* watch_flag = app.add_flag("--watch", o.watch, "Print a line per change until interrupted");
  app.add_option("--timeout", o.timeout, "With --watch: stop after DUR (exit 0)")->type_name("DUR")->needs(watch_flag);
  watch_flag->excludes(output)->excludes(procs);
  // For the shell completions; not shown by --help.
  app.add_flag("--list-columns", o.list_columns, "Print the column names")->group("");
  app.add_flag("--names", o.names, "Print every job name below the job root")->group("");
  app.add_option("JOB", o.jobs, "Jobs to report (default: every job below the job root)");
  cli::add_nodes_option(app, o.nodes);
  app.footer(std::function<std::string()>(columns_help));  // built only for --help

  if (auto done = cli::parse_command_line(app, args, reporter)) return *done;

  if (o.list_columns) {
    std::string out;
    for (const auto& c : job_columns()) out.append(c.name).append("\n");
    return cli::put_stdout(out, reporter) ? 0 : static_cast<int>(ExitStatus::failed);
  }
  // Bad usage is found before anything is read.
  std::vector<const JobColumn*> columns;
  if (!o.json && !o.watch) {
    auto picked = cli::select_columns(o.columns.empty() ? k_default_columns : std::string_view(o.columns),
                                      job_columns());
    if (!picked) {
      reporter.error("", "-o: " + picked.error().reason());
      return static_cast<int>(ExitStatus::usage);
    }
    columns = std::move(*picked);
  }
  std::optional<cli::Duration> timeout;
  if (!cli::parse_duration_option(o.timeout, timeout, "--timeout", reporter)) {
    return static_cast<int>(ExitStatus::usage);
  }
  if (!o.nodes.empty()) return on_nodes(o, columns, common, reporter);

  ExitStatus status = ExitStatus::ok;
  auto root = cli::open_job_root(common, reporter, status);
  if (!root) return static_cast<int>(status);
  if (o.names) return list_names(*root, reporter);
  auto jobs = cli::parse_jobs(*root, o.jobs, reporter);
  if (!jobs) return static_cast<int>(ExitStatus::usage);

  if (o.watch) return static_cast<int>(watch(*root, o, *jobs, timeout, reporter));

  GatherOptions g;
  g.recursive = o.recursive;
  g.procs = o.procs;
  auto rows = gather(*root, *jobs, g, reporter, status);
  // The table has no room for it by default: said on stderr, as a warning
  // that changes no exit status (JSON has held_by_dead_run).
  for (const auto& row : rows) {
    if (!row.dead_hold || o.json) continue;
    reporter.error(row.name, "warning: held " + std::string(row.dead_hold->restore_frozen ? "thawed" : "frozen") +
                                 " by a run that died (pid " + std::to_string(row.dead_hold->owner) +
                                 "); the next cgfreeze or cgkill on it puts its state back");
  }
  std::string out = o.json ? render_json(root->layout(), rows, o.procs)
                           : render_table(rows, columns, !o.noheadings, o.procs);
  if (!cli::put_stdout(out, reporter)) status = worst(status, ExitStatus::failed);
  return static_cast<int>(status);
}
