#pragma once
// cgkill's work once the command line is parsed: signal every JOB, then wait,
// escalate, and pick the exit status. Nothing here parses argv.

#include <csignal>
#include <optional>
#include <string>
#include <vector>

#include "lib/job/job_root.h"
#include "tools/common/cli.h"

namespace cgjob::cgkill {

using cli::ExitStatus;

struct KillRequest {
  std::vector<JobName> jobs;             ///< validated already
  int sig = SIGTERM;                     ///< 0 sends nothing (test for processes)
  bool wait = false;                     ///< --wait (also implied by --escalate)
  std::optional<cli::Duration> timeout;  ///< --timeout: bounds the whole run
  std::optional<cli::Duration> escalate; ///< --escalate: SIGKILL after this long
};

/// Signals every job of `request` (each is attempted), then waits together.
/// Statuses: 0 done; 1 a kernel failure, or for signal 0 an empty job; 3 a
/// missing job; 124 processes left when --timeout ran out. Highest wins.
ExitStatus kill_jobs(JobRoot& root, cli::Reporter& reporter, const KillRequest& request);

/// `cgkill -l [SIGNAL...]`: the table (one "NAME<TAB>NUMBER" line per
/// signal), or each SIGNAL translated on a line of its own. 2 if one is bad.
ExitStatus list_signals(cli::Reporter& reporter, const std::vector<std::string>& signals);

}  // namespace cgjob::cgkill
