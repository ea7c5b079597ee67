#pragma once
// What every tool's command line shares: the common options, parsing with
// one-line usage errors (exit 2), and opening the job root they select.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "lib/job/job_root.h"
#include "tools/common/duration.h"
#include "tools/common/exit_status.h"
#include "tools/common/report.h"

namespace cgjob::cli {

struct CommonOptions {
  std::string hierarchy = "auto";  ///< --hierarchy, env CGJOB_HIERARCHY
  std::string root;                ///< --root, env CGJOB_ROOT; empty = default
  bool quiet = false;
  bool verbose = false;
};

/// Adds --hierarchy, --root, -q, -v and -V/--version to `app` (-h is CLI11's).
void add_common_options(CLI::App& app, CommonOptions& options);

/// Writes `text` to stdout and flushes it, so that each line of a stream
/// reaches a pipe at once. False (after saying why) when it could not be written.
bool put_stdout(std::string_view text, const Reporter& reporter);

/// Answers `TOOL --version` (or -V) given alone, before any option parser is
/// built: building one, and the exception CLI11 answers --version with, cost
/// more than the rest of the start-up (the first throw in a static binary
/// sorts its unwind tables). Returns the exit status, or nullopt for any
/// other command line.
std::optional<int> answer_lone_version(const std::vector<std::string>& args, std::string_view tool,
                                       const Reporter& reporter);

/// Parses `args` (without argv[0]). Returns an exit status when the run is
/// over (help or version printed: 0; usage error printed: 2), nullopt to go on.
/// With -q/--quiet anywhere in `args`, `reporter` is quiet from the start.
std::optional<int> parse_command_line(CLI::App& app, const std::vector<std::string>& args,
                                      Reporter& reporter);

/// Applies -q/-v to `reporter` and opens the job root; prints the failure.
std::optional<JobRoot> open_job_root(const CommonOptions& options, Reporter& reporter, ExitStatus& status);

/// Parses an optional duration option; prints and sets status 2 on error.
bool parse_duration_option(const std::string& text, std::optional<Duration>& out, std::string_view option,
                           Reporter& reporter);

/// A PID argument: a decimal 1..pid_max. Anything else is bad_input.
Result<pid_t> parse_pid(std::string_view text, pid_t pid_max);

/// Validates every JOB argument before anything happens; prints each bad one.
/// Returns nullopt (status 2) if any is invalid.
std::optional<std::vector<JobName>> parse_jobs(const JobRoot& root, const std::vector<std::string>& texts,
                                               Reporter& reporter);

/// `jobs` without those another of them already covers: a repeat of an
/// earlier JOB, or a job lying within another given JOB (whose subtree holds
/// it), compared by path, so that `b`, `b/` and the absolute path of b are one
/// job. The others keep their order. (`cgkill b b/sub` signals b/sub once;
/// `rm b b/sub` does not miss b/sub after removing b.)
std::vector<JobName> without_covered_jobs(const JobRoot& root, std::vector<JobName> jobs);

/// argv[1..] as strings.
std::vector<std::string> arguments(int argc, char** argv);

/// Index of the first positional argument in `args`, skipping options and
/// the values of `options_with_values` ("--root" etc.); args.size() if none.
std::size_t first_positional(const std::vector<std::string>& args,
                             const std::vector<std::string_view>& options_with_values);

}  // namespace cgjob::cli
