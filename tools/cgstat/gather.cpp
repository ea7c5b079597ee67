#include "tools/cgstat/gather.h"

#include <fcntl.h>

#include <unordered_set>

#include "lib/job/job_status.h"
#include "lib/io/task_info.h"

namespace cgjob::cgstat {
namespace {

using cli::ExitStatus;

// What /proc says about each process still there; one that exited since
// cgroup.procs was read is left out.
void read_procs(SysIo& io, JobRow& row, cli::Reporter& reporter, ExitStatus& status) {
  row.procs.reserve(row.status.pids.size());
  for (pid_t pid : row.status.pids) {
    auto info = read_task_info(io, pid);
    if (info) {
      row.procs.push_back(std::move(*info));
    } else if (info.error().errnum != ENOENT && info.error().errnum != ESRCH) {
      reporter.failure(row.name, "read process " + std::to_string(pid), info.error());
      status = worst(status, ExitStatus::failed);
    }
  }
}

// A hold recorded in the job's lock file by a run that is gone. (The lock
// files are this user's: root's tools see root's runs.)
std::optional<HoldRecord> dead_hold_at(SysIo& io, const std::string& path) {
  auto hold = read_hold(io, DirRef{AT_FDCWD, path});
  if (!hold || hold->alive) return std::nullopt;
  return hold;
}

}  // namespace

std::vector<JobRow> gather(const JobRoot& root, const std::vector<JobName>& jobs, const GatherOptions& options,
                           cli::Reporter& reporter, ExitStatus& status) {
  SysIo& io = root.io();
  const Layout& layout = root.layout();
  StatusReader reader(io, layout.kind, layout.mount);
  std::vector<JobRow> rows;
  std::vector<StatusEntry> entries;
  std::vector<Error> problems;
  std::unordered_set<std::string> listed;  // only with JOBs: a job met twice is listed once

  auto take = [&](std::string_view top_path, std::string_view top_name, bool top_included) {
    for (auto& e : entries) {
      if (!jobs.empty() && !listed.insert(e.path).second) continue;
      JobRow row;
      if (top_included) {
        row.name.reserve(top_name.size() + e.path.size() - top_path.size());
        row.name.append(top_name).append(e.path, top_path.size());
      } else {
        row.name.assign(e.path, top_path.size() + 1);
      }
      row.path = std::move(e.path);
      row.status = std::move(e.status);
      row.dead_hold = dead_hold_at(io, row.path);
      if (options.procs) read_procs(io, row, reporter, status);
      rows.push_back(std::move(row));
    }
    entries.clear();
    for (const auto& p : problems) {
      reporter.failure(top_name, "report", p);
      status = worst(status, ExitStatus::failed);
    }
    problems.clear();
  };

  if (jobs.empty()) {
    auto top = Cgroup::open(io, layout.root);
    if (!top) {
      if (top.error().errnum == ENOENT) return rows;  // no job created yet
      reporter.failure("", "read the job root", top.error());
      status = worst(status, cli::status_for(top.error()));
      return rows;
    }
    auto walked = reader.walk(*top, true, false, entries, problems);
    if (!walked) {
      reporter.failure("", "read the job root", walked.error());
      status = worst(status, cli::status_for(walked.error()));
    }
    take(layout.root, "", false);
    return rows;
  }

  for (const auto& job : jobs) {
    auto cg = root.open_job(job);
    Status walked = cg ? reader.walk(*cg, options.recursive, true, entries, problems) : Status(cg.error());
    if (!walked) {
      reporter.failure(job.text, "report", walked.error());
      status = worst(status, cli::status_for_lookup(walked.error()));
    }
    if (cg) take(cg->path(), job.text, true);
  }
  return rows;
}

Result<std::vector<std::string>> job_names(const JobRoot& root) {
  std::vector<std::string> names;
  auto top = Cgroup::open(root.io(), root.layout().root);
  if (!top) {
    if (top.error().errnum == ENOENT) return names;
    return top.error();
  }
  auto listed = list_subtree(*top, names);
  if (!listed) return listed.error();
  return names;
}

}  // namespace cgjob::cgstat
