#include "tools/common/cli.h"

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace cgjob::cli {

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
