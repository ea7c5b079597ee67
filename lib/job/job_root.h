#pragma once
// The place of work of one tool run: the hierarchy, its freezer backend, and
// the job root below which named jobs live.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/cgroup/caller.h"
#include "lib/cgroup/cgroup.h"
#include "lib/freezer/freezer.h"
#include "lib/cgroup/hierarchy.h"
#include "lib/cgroup/job_name.h"
#include "lib/cgroup/systemd_unit.h"

namespace cgjob {

class JobRoot {
 public:
  /// Discovers the mounts and resolves the layout (see resolve_layout).
  static Result<JobRoot> open(SysIo& io, const LayoutRequest& request);
  JobRoot(SysIo& io, Layout layout);

  SysIo& io() const { return *m_io; }
  const Layout& layout() const { return m_layout; }
  Freezer& freezer() const { return *m_freezer; }

  /// Validates a JOB argument (no syscall).
  Result<JobName> parse(std::string_view text) const { return JobName::parse(text, m_layout.mount); }
  /// Filesystem path of `job`.
  std::string path_of(const JobName& job) const;
  /// Opens an existing job: ENOENT (exit 3) when it does not exist. A path
  /// that exists but is no cgroup directory is ENOTDIR.
  Result<Cgroup> open_job(const JobName& job) const;
  /// Creates a job below the root (the root and missing parents too); an
  /// existing one is fine. Absolute JOBs are never created: ENOENT. When the
  /// root lies in a systemd unit (Layout::unit) that is not running, starts
  /// it first rather than making its cgroup behind systemd's back.
  Result<Cgroup> create_job(const JobName& job) const;
  /// Every job below the root, parents before children, as relative names.
  /// An absent root has no jobs. Directories whose names are not valid job
  /// names are left out, with everything below them (is_job_path()).
  Result<std::vector<std::string>> list_jobs() const;
  /// The name to show for a cgroup directory: relative to the root when below
  /// it, else its path from the mount root ("/system.slice/x").
  std::string display_name(std::string_view path) const;
  /// The directory of `pid`'s cgroup in this hierarchy (0 = this process).
  Result<std::string> cgroup_dir_of(pid_t pid) const;
  /// This process and its cgroup here (an empty directory when unknown).
  Caller caller() const;
  /// Replaces start_jobs_unit() (unit tests).
  void set_unit_starter(UnitStarter starter) { m_start_unit = std::move(starter); }

 private:
  /// Starts the unit of the root when its cgroup is absent.
  Status ensure_unit() const;

  SysIo* m_io;
  Layout m_layout;
  std::shared_ptr<Freezer> m_freezer;
  std::optional<std::string> m_mount_root;  ///< the mount's cgroup, from open()
  UnitStarter m_start_unit = start_jobs_unit;
};

}  // namespace cgjob
