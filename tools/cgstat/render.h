#pragma once
// The two views of a report: the aligned table and the JSON document.

#include <span>
#include <string>
#include <vector>

#include "lib/cgroup/hierarchy.h"
#include "tools/cgstat/columns.h"

namespace cgjob::cgstat {

/// The table of `rows` with `columns`, headed unless `headings` is false
/// (no rows: nothing at all, not even the heading).
/// With `procs`, each job's row is followed by one indented line per
/// process: PID, command name, state and wait channel ("-" when none),
/// aligned across the whole table.
std::string render_table(const std::vector<JobRow>& rows, std::span<const JobColumn* const> columns, bool headings,
                         bool procs);

/// The --json document (cgstat(1), JSON): hierarchy, mount, root and jobs[], each job
/// with every column's key, "pids", and with `procs` "procs". Any byte
/// sequence in a name, path or command name is written as valid JSON
/// (invalid UTF-8 becomes U+FFFD). Ends with a newline.
std::string render_json(const Layout& layout, const std::vector<JobRow>& rows, bool procs);

}  // namespace cgjob::cgstat
