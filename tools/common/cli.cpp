#include "tools/common/cli.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "lib/cgroup/self_cgroup.h"

namespace cgjob::cli {
namespace {

bool blank(std::string_view text) { return text.find_first_not_of(" \t\n\v\f\r") == std::string_view::npos; }

// An empty or blank value of any option is bad usage (the man pages, EXIT STATUS): without this
// check `--timeout ''` would read as "no --timeout" and `-s ''` as the default
// signal. Positionals are left alone (an empty COMMAND argument is legitimate;
// an empty JOB is refused as a job name). An empty environment variable never
// reaches here: CLI11 takes it as unset, as getenv users commonly do.
void refuse_blank_values(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    if (!option->nonpositional() || option->get_type_size_max() == 0) continue;  // positional or flag
    std::string env = option->get_envname();
    option->check(CLI::Validator(
        [env](std::string& value) -> std::string {
          if (!blank(value)) return {};
          return env.empty() ? "empty or blank value" : "empty or blank value (from the option or " + env + ")";
        },
        "", "not blank"));
  }
  for (CLI::App* sub : app.get_subcommands(std::function<bool(CLI::App*)>())) refuse_blank_values(*sub);
}

// `--timeout=` with nothing after '=': CLI11 would take the next argument as
// the value. Returns the option's name, or "" when there is none such.
std::string empty_assignment(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--") break;
    if (a.size() > 3 && a.starts_with("--") && a.back() == '=') return a.substr(0, a.size() - 1);
  }
  return {};
}

// The option `name` ("--timeout", "-q") of `app` or of one of its subcommands.
const CLI::Option* find_option(CLI::App& app, const std::string& name) {
  if (const CLI::Option* option = app.get_option_no_throw(name)) return option;
  for (CLI::App* sub : app.get_subcommands(std::function<bool(CLI::App*)>())) {
    if (const CLI::Option* option = find_option(*sub, name)) return option;
  }
  return nullptr;
}

// Whether `arg` is an option that takes a value (so that the next argument is
// that value, whatever it looks like).
bool takes_value(CLI::App& app, const std::string& arg) {
  if (arg.size() < 2 || arg[0] != '-' || arg.find('=') != std::string::npos) return false;
  const CLI::Option* option = find_option(app, arg);
  return option != nullptr && option->get_expected_max() > 0;
}

// Whether -q/--quiet is given, alone or among short flags ("-qv"). Read before
// parsing: -q silences the messages about the command line too, also those
// CLI11 would give before it reaches the -q.
bool asks_quiet(CLI::App& app, const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (a == "-q" || a == "--quiet") return true;
    if (takes_value(app, a)) {
      ++i;
    } else if (a.size() > 2 && a[0] == '-' && a[1] != '-' && a.find('q') != std::string::npos) {
      bool flags_only = std::all_of(a.begin() + 1, a.end(), [&](char c) {
        const CLI::Option* option = find_option(app, std::string{'-', c});
        return option != nullptr && option->get_expected_max() == 0;
      });
      if (flags_only) return true;
    }
  }
  return false;
}

// An argument like "-9" or "-1.5" before "--" that is no option's value.
// CLI11 takes what looks like a negative number as a positional, so
// `cgfreeze create -9` would make a job named "-9"; getopt (util-linux,
// coreutils) calls it an invalid option, and so do we: a JOB that starts
// with '-' goes after "--". Returns the argument, or "".
std::string option_lookalike(CLI::App& app, const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (takes_value(app, a)) {
      ++i;
    } else if (a.size() > 1 && a[0] == '-' && a[1] != '-' && !std::isalpha(static_cast<unsigned char>(a[1]))) {
      return a;
    }
  }
  return {};
}

}  // namespace

void add_common_options(CLI::App& app, CommonOptions& options) {
  app.add_option("--hierarchy", options.hierarchy, "Cgroup hierarchy: auto, v1 or v2")
      ->envname("CGJOB_HIERARCHY")
      ->type_name("auto|v1|v2");
  app.add_option("--root", options.root, "Job root: a directory inside a cgroup mount")
      ->envname("CGJOB_ROOT")
      ->type_name("PATH");
  app.add_flag("-q,--quiet", options.quiet, "Print no messages on stderr; the exit status tells");
  app.add_flag("-v,--verbose", options.verbose, "Say what was done");
  app.set_version_flag("-V,--version", app.get_name() + " " + CGJOB_VERSION);
}

bool put_stdout(std::string_view text, const Reporter& reporter) {
  errno = 0;
  bool ok = std::fwrite(text.data(), 1, text.size(), stdout) == text.size();
  ok = std::fflush(stdout) == 0 && ok;
  if (!ok) reporter.error("", std::string("write error: ") + std::strerror(errno != 0 ? errno : EIO));
  return ok;
}

std::optional<int> answer_lone_version(const std::vector<std::string>& args, std::string_view tool,
                                       const Reporter& reporter) {
  if (args.size() != 1 || (args[0] != "--version" && args[0] != "-V")) return std::nullopt;
  bool ok = put_stdout(std::string(tool) + " " + CGJOB_VERSION + "\n", reporter);
  return ok ? 0 : static_cast<int>(ExitStatus::failed);
}

std::optional<int> parse_command_line(CLI::App& app, const std::vector<std::string>& args,
                                      Reporter& reporter) {
  refuse_blank_values(app);
  if (asks_quiet(app, args)) reporter.set_quiet(true);
  if (auto option = empty_assignment(args); !option.empty()) {
    reporter.error("", option + ": empty or blank value (see '" + app.get_name() + " --help')");
    return static_cast<int>(ExitStatus::usage);
  }
  if (auto odd = option_lookalike(app, args); !odd.empty()) {
    reporter.error("", "unknown option '" + odd + "' (an argument that starts with '-' goes after '--'; see '" +
                           app.get_name() + " --help')");
    return static_cast<int>(ExitStatus::usage);
  }
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    reporter.error("", what + " (see '" + app.get_name() + " --help')");
    return static_cast<int>(ExitStatus::usage);
  }
  return std::nullopt;
}

std::optional<JobRoot> open_job_root(const CommonOptions& options, Reporter& reporter, ExitStatus& status) {
  reporter.set_quiet(options.quiet);
  reporter.set_verbose(options.verbose);
  LayoutRequest request;
  auto choice = parse_hierarchy_choice(options.hierarchy);
  if (!choice) {
    reporter.failure("", "", choice.error());
    status = ExitStatus::usage;
    return std::nullopt;
  }
  request.choice = *choice;
  if (!options.root.empty()) request.root = options.root;
  auto root = JobRoot::open(real_sys_io(), request);
  if (!root) {
    reporter.failure("", "use the job root", root.error());
    status = status_for(root.error());
    return std::nullopt;
  }
  return std::move(*root);
}

bool parse_duration_option(const std::string& text, std::optional<Duration>& out, std::string_view option,
                           Reporter& reporter) {
  // Empty means not given: parse_command_line refuses an empty value.
  if (text.empty()) return true;
  auto d = parse_duration(text);
  if (!d) {
    reporter.error("", std::string(option) + ": " + d.error().reason());
    return false;
  }
  out = *d;
  return true;
}

Result<pid_t> parse_pid(std::string_view text, pid_t pid_max) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 1 || value > pid_max) {
    return input_error("invalid PID '" + std::string(text) + "' (expected 1.." + std::to_string(pid_max) + ")");
  }
  return static_cast<pid_t>(value);
}

std::optional<std::vector<JobName>> parse_jobs(const JobRoot& root, const std::vector<std::string>& texts,
                                               Reporter& reporter) {
  std::vector<JobName> jobs;
  bool ok = true;
  for (const auto& text : texts) {
    auto job = root.parse(text);
    if (!job) {
      reporter.error(text, "invalid job name: " + job.error().reason());
      ok = false;
    } else {
      jobs.push_back(std::move(*job));
    }
  }
  if (!ok) return std::nullopt;
  return jobs;
}

std::vector<JobName> without_covered_jobs(const JobRoot& root, std::vector<JobName> jobs) {
  std::vector<std::string> paths;
  paths.reserve(jobs.size());
  for (const auto& job : jobs) paths.push_back(root.path_of(job));
  auto covered = [&](std::size_t i) {
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      if (j == i || !path_within(paths[i], paths[j])) continue;
      if (paths[i] != paths[j] || j < i) return true;  // within another, or a repeat of an earlier one
    }
    return false;
  };
  std::vector<JobName> kept;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!covered(i)) kept.push_back(std::move(jobs[i]));
  }
  return kept;
}

std::vector<std::string> arguments(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return args;
}

std::size_t first_positional(const std::vector<std::string>& args,
                             const std::vector<std::string_view>& options_with_values) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--") return i + 1 < args.size() ? i + 1 : args.size();
    if (a.size() > 1 && a[0] == '-') {
      if (std::find(options_with_values.begin(), options_with_values.end(), a) != options_with_values.end()) {
        ++i;  // skip its value
      }
      continue;
    }
    return i;
  }
  return args.size();
}

}  // namespace cgjob::cli
