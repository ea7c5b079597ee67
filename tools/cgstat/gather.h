#pragma once
// Collecting the rows of a report from the job root.

#include <string>
#include <vector>

#include "lib/job/job_root.h"
#include "tools/cgstat/columns.h"
// Not cli.h: CLI11 constructs global objects in every file that includes it,
// which main.cpp alone pays for.
#include "tools/common/exit_status.h"
#include "tools/common/report.h"

namespace cgjob::cgstat {

struct GatherOptions {
  bool recursive = false;  ///< with JOBs: their sub-jobs too
  bool procs = false;      ///< read /proc for each process
};

/// The rows for `jobs` (validated JOB arguments): with none, every job below
/// the job root (an absent root has none), parents before sub-jobs, sub-jobs
/// in name order; else each JOB in the order given (a job met twice is
/// listed once), with `recursive` followed by its sub-jobs. A missing JOB is
/// reported on stderr and raises `status` to 3; a file that cannot be read
/// raises it to 1; the rows found are returned either way.
std::vector<JobRow> gather(const JobRoot& root, const std::vector<JobName>& jobs, const GatherOptions& options,
                           cli::Reporter& reporter, cli::ExitStatus& status);

/// Every job name below the job root, parents before sub-jobs (for --names).
Result<std::vector<std::string>> job_names(const JobRoot& root);

}  // namespace cgjob::cgstat
