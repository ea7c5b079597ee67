#include "tools/cgstat/columns.h"

namespace cgjob::cgstat {
namespace {

using cli::Cell;
using cli::ValueType;

// cgstat(1)'s order for -o; the JSON object of a job follows it too.
constexpr JobColumn k_columns[] = {
    {"JOB", "JOB", "name", ValueType::string, "job name, as given or relative to the job root",
     [](const JobRow& r) { return Cell::of(std::string_view(r.name)); }},
    {"STATE", "STATE", "state", ValueType::string, "THAWED, FREEZING or FROZEN",
     [](const JobRow& r) { return Cell::of(to_string(r.status.state)); }},
    {"PROCS", "PROCS", "nprocs", ValueType::number, "number of processes in the job itself",
     [](const JobRow& r) { return Cell::of(static_cast<std::int64_t>(r.status.pids.size())); }},
    {"SELF", "SELF", "self_freezing", ValueType::boolean, "the job itself asked to be frozen",
     [](const JobRow& r) { return Cell::of(r.status.self_freezing); }},
    {"PARENT", "PARENT", "parent_freezing", ValueType::boolean, "an ancestor asked to be frozen",
     [](const JobRow& r) { return Cell::of(r.status.parent_freezing); }},
    {"POPULATED", "POPULATED", "populated", ValueType::boolean, "a process in the job or a sub-job",
     [](const JobRow& r) { return Cell::of(r.status.populated); }},
    {"PATH", "PATH", "path", ValueType::string, "path of the cgroup in the filesystem",
     [](const JobRow& r) { return Cell::of(std::string_view(r.path)); }},
    {"HIDDEN", "HIDDEN", "hidden_procs", ValueType::number,
     "processes in the job not visible in this PID namespace (shown as 0 in cgroup.procs)",
     [](const JobRow& r) { return Cell::of(static_cast<std::int64_t>(r.status.hidden_procs)); }},
    {"HELD", "HELD", "held_by_dead_run", ValueType::boolean,
     "a tool died holding the job frozen (or thawed) for its work; the next cgfreeze or cgkill puts it back",
     [](const JobRow& r) { return Cell::of(r.dead_hold.has_value()); }},
};

}  // namespace

std::span<const JobColumn> job_columns() { return k_columns; }

std::string columns_help() {
  std::string out = "Available columns (for -o, default " + std::string(k_default_columns) + "):\n";
  for (const auto& c : k_columns) {
    std::string name(c.name);
    name.resize(11, ' ');
    out += "  " + name + std::string(c.help) + "\n";
  }
  return out;
}

}  // namespace cgjob::cgstat
