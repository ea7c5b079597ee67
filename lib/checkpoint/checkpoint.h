#pragma once
// Checkpoint and restore of a whole job with CRIU (cgfreeze(1), checkpoint
// and restore). CRIU does the saving; this decides what is saved and keeps
// the job's freeze state under the same lock discipline and hold record as
// cgkill's freeze (kernel/job_hold.h):
//  - checkpoint: the job must be one process tree (CRIU dumps the tree under
//    `-t PID` and only warns about the rest); it is refused, naming the PIDs,
//    before anything is frozen or written. The job is frozen by us (a hold,
//    recorded), CRIU dumps it with --freeze-cgroup on that freeze while we
//    hold the lock (CRIU thaws and re-freezes the cgroup while it seizes the
//    tasks: no other run may see or act on that window), and the job is
//    left as asked. Any failure, or an interrupt, puts the state back and
//    removes DIR.
//  - restore: the job and sub-jobs are made and frozen (where saved frozen)
//    before CRIU starts; CRIU's pre-resume action (this tool again) moves
//    each restored process into its sub-job before it runs an instruction,
//    so a process that must be frozen is frozen when it first runs (CRIU
//    3.17 restores v1's freezer.state only, not v2's cgroup.freeze).
//    Restored PIDs are the saved ones: a restore whose PIDs are taken is
//    refused (no new PID namespace).

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "lib/cgroup/cgroup.h"
#include "lib/checkpoint/checkpoint_manifest.h"
#include "lib/checkpoint/criu.h"
#include "lib/io/deadline.h"
#include "lib/freezer/freezer.h"

namespace cgjob {

/// A job's processes and where each is: the job and its sub-jobs, parents
/// first, with their PIDs.
struct JobTree {
  std::vector<ManifestJob> cgroups;  ///< relative "" first
  std::vector<pid_t> pids;           ///< every PID, in cgroup order
  pid_t root = 0;                    ///< the one tree's root
};

/// Reads the job's sub-jobs and processes and checks that they make one
/// process tree with no stopped task (is_stopped: T, or under the v1
/// freezer D in a stop's wait channel). Errors (errnum 0, a detail that
/// names PIDs and the reason): an empty job, several trees (each listed as
/// "root PID: PID PID..."), a stopped or traced task.
Result<JobTree> inspect_job_tree(const Cgroup& job);

enum class LeaveAs { as_was, running, frozen, killed };

struct CheckpointRequest {
  std::string name;  ///< the job's name (for the manifest)
  std::string dir;   ///< DIR: made here (or empty); removed on failure
  LeaveAs leave = LeaveAs::as_was;
  Deadline deadline = Deadline::never();
};

struct CheckpointReport {
  Manifest manifest;
  Clock::duration frozen_for{};  ///< from our freeze request to the thaw (0 if left frozen)
  bool left_frozen = false;
};

/// Saves `job` to request.dir with `criu` (probe_criu().usable). On any
/// error DIR is gone and the job is as it was. ETIMEDOUT: the deadline
/// passed (lock or freeze); EINTR: interrupted (SIGINT...), put back.
Result<CheckpointReport> checkpoint_job(Freezer& freezer, const Cgroup& job, const CheckpointRequest& request,
                                        const CriuSupport& criu);

/// Reads and validates DIR/cgjob.json (errors are bad_input).
Result<Manifest> read_manifest(const std::string& dir);

/// Saved PIDs that a process uses now (restore refuses them).
std::vector<pid_t> taken_pids(const Manifest& manifest);

struct RestoreRequest {
  std::string dir;
  std::optional<bool> frozen;  ///< --frozen / --thawed; nullopt: as saved
  bool detach = false;
  std::string hook;            ///< the executable CRIU runs as its action script (this tool)
  Deadline deadline = Deadline::never();
};

struct RestoreReport {
  pid_t root = 0;
  std::size_t processes = 0;
  bool frozen = false;
};

/// Restores the job saved in request.dir into the cgroup `job_path` (made,
/// with its sub-jobs; an existing one must have no process). The restored
/// root is this process's child (CRIU's --restore-sibling). On any error no
/// restored process and no cgroup made here is left.
Result<RestoreReport> restore_job(Freezer& freezer, SysIo& io, const std::string& job_path, const Manifest& manifest,
                                  const RestoreRequest& request, const CriuSupport& criu);

/// CRIU's action script, run as this tool with CGJOB_RESTORE_JOB and
/// CGJOB_RESTORE_DIR set: on pre-resume, moves each restored process into
/// its (sub-)job. Returns the exit status for CRIU (0: go on).
int run_restore_action(SysIo& io);
/// Whether this process was started as that action (by CRIU).
bool is_restore_action();

/// The path is safe for CRIU's `sh -c PATH` (no character a shell reads).
bool safe_for_shell(std::string_view path);

}  // namespace cgjob
