#pragma once
// What cgstat reports about a job, read cheaply: each control file once per
// job, no per-job ancestor walk. Walking a subtree top-down, a job's
// parent_freezing follows from what its parent asked for (v2 has no
// parent_freezing file; v1 has one and is simply read).

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lib/cgroup/cgroup.h"
#include "lib/freezer/freezer.h"
#include "lib/cgroup/hierarchy.h"
#include "lib/cgroup/hierarchy_traits.h"

namespace cgjob {

/// One job's freezer state, requests, populated flag and processes.
struct JobStatus {
  FreezeState state = FreezeState::thawed;
  bool self_freezing = false;    ///< this job asked to be frozen
  bool parent_freezing = false;  ///< an ancestor asked (v2: or the job is frozen without asking)
  bool populated = false;        ///< a process in the job or a sub-job (v1: see StatusReader)
  std::vector<pid_t> pids;       ///< cgroup.procs of the job itself, without its 0 entries
  /// The 0 entries of cgroup.procs: processes outside this PID namespace
  /// (and, on v2, tasks exiting at that moment).
  std::size_t hidden_procs = 0;
};

/// Whether `job`'s sub-jobs see a freeze request from here or above.
inline bool requested_for_children(const JobStatus& job, bool requested_above) {
  return job.self_freezing || requested_above;
}

/// A job met while walking a subtree.
struct StatusEntry {
  static constexpr std::size_t k_no_parent = static_cast<std::size_t>(-1);
  std::string path;        ///< filesystem path of the cgroup
  std::size_t depth = 0;   ///< 0 for the top of the walk, 1 for its children ...
  std::size_t parent = k_no_parent;  ///< index of the parent entry in the walk's output
  bool requested_above = false;  ///< an ancestor asked to be frozen (what the walk knew)
  JobStatus status;
};

/// Reads job status for one hierarchy, through its freezer backend and
/// table (lib/cgroup/hierarchy_traits.h). Not thread-safe: it keeps a cache of
/// the ancestors' freeze requests it has read.
class StatusReader {
 public:
  StatusReader(SysIo& io, HierarchyKind kind, std::string mount);

  SysIo& io() const { return *m_io; }
  const HierarchyTraits& hierarchy() const { return m_freezer->traits(); }

  /// Whether an ancestor of the cgroup at `path`, below the mount, asked to
  /// be frozen. v2 reads each ancestor's cgroup.freeze once per run (cached);
  /// v1 reads nothing and answers false (freezer.parent_freezing tells:
  /// HierarchyTraits::tells_parent_freezing).
  /// An ancestor without cgroup.freeze (the mount root) counts as not asking.
  Result<bool> requested_above(std::string_view path);
  /// Forgets the ancestors' requests read so far: a long-running watch calls
  /// it before each new look.
  void forget_requests() { m_requested.clear(); }

  /// The status of the cgroup open at `dir`: v2 reads cgroup.freeze,
  /// cgroup.events and cgroup.procs; v1 freezer.state,
  /// freezer.self_freezing, freezer.parent_freezing and cgroup.procs.
  /// `requested_above` is what requested_above() or a walk found (v2 only).
  /// v1 has no cgroup.events (HierarchyTraits::tells_populated): populated
  /// is set from the job's own processes only; walk() and
  /// subtree_populated() complete it. Errors name the file;
  /// ENOENT/ENODEV mean the job is gone.
  Status read(DirRef dir, bool requested_above, JobStatus& out);

  /// Like read() for the subtree's top; then, when `recursive`, every cgroup
  /// below it, parents before children, depth first with children in name
  /// order. Appends to `out`. A sub-job that vanishes meanwhile is skipped
  /// with its own sub-jobs; other failures on sub-jobs are appended to
  /// `problems` and the walk goes on. On v1, populated is completed from the
  /// sub-jobs read (and, without `recursive`, by subtree_populated()).
  /// `include_top` false reads the top only for what its children need (the
  /// job root: its freeze request) and does not append it.
  /// A child whose directory name is not a valid job name is skipped with
  /// everything below it (see is_job_path()); on v1 its processes still count
  /// for its parent's populated flag.
  /// Holds one directory fd per level, never one per job.
  Status walk(const Cgroup& top, bool recursive, bool include_top, std::vector<StatusEntry>& out,
              std::vector<Error>& problems);

  /// v1: whether `cg` or any cgroup below it has a process (stops at the
  /// first). What cgroup.events' populated says on v2.
  Result<bool> subtree_populated(const Cgroup& cg);

 private:
  void walk_children(const Cgroup& cg, const std::vector<std::string>& names, std::size_t parent,
                     std::size_t depth, bool requested, std::vector<StatusEntry>& out,
                     std::vector<Error>& problems);
  void skip_unlisted(const Cgroup& cg, const std::string& name, std::size_t parent, std::vector<StatusEntry>& out,
                     std::vector<Error>& problems);
  Result<bool> requested_at_or_above(const std::string& path);
  bool path_within_mount(std::string_view path) const;

  SysIo* m_io;
  std::unique_ptr<Freezer> m_freezer;  ///< the hierarchy's backend: reads the freezer files
  std::string m_mount;
  std::unordered_map<std::string, bool> m_requested;  ///< v2 cache: path -> it or an ancestor asked
};

/// Sub-directory names while walking (for --names and the like): every cgroup
/// below `top`, parents before children, depth first in name order, as paths
/// relative to `top`. Vanished sub-jobs are skipped, and so are directories
/// whose name is not a valid job name, with everything below them.
Status list_subtree(const Cgroup& top, std::vector<std::string>& out);

}  // namespace cgjob
