#pragma once
// cgstat's one column table: it drives -o, the table view, --json and
// --list-columns.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lib/freezer/job_lock.h"
#include "lib/job/job_status.h"
#include "lib/io/task_info.h"
#include "tools/common/columns.h"

namespace cgjob::cgstat {

/// Everything cgstat reports about one job.
struct JobRow {
  std::string name;  ///< as given, or relative to the job root
  std::string path;  ///< filesystem path
  JobStatus status;
  std::vector<TaskInfo> procs;  ///< with --procs: what /proc says about each pid still there
  /// A run that died holding the job in a state nobody asked for (cgkill's
  /// freeze): the next cgfreeze or cgkill on the job puts it back.
  std::optional<HoldRecord> dead_hold;
};

using JobColumn = cli::Column<JobRow>;

/// Every column, in the order --list-columns and --help show them.
std::span<const JobColumn> job_columns();

/// The table's columns without -o.
inline constexpr std::string_view k_default_columns = "JOB,STATE,PROCS";

/// JSON keys of the document that are not columns (see json_render.h).
inline constexpr std::string_view k_pids_key = "pids";
inline constexpr std::string_view k_procs_key = "procs";

/// "Available columns:" and one line per column, for the end of --help.
std::string columns_help();

}  // namespace cgjob::cgstat
