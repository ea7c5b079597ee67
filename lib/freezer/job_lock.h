#pragma once
// The job lock: the one discipline for changing a job's freeze state.
//
// Every change of a job's freeze state is made holding the job's lock, and
// the freezer's writes take the lock as an argument (lib/freezer/freezer.h), so a
// write without it does not compile: a freeze or thaw request, a v1 nudge,
// cgkill's freeze and its restore (and v1 SIGKILL's thaw and re-freeze of
// frozen sub-jobs), the thaw-back after a --timeout. Whatever such a change
// rests on (the state before a request, whether a request still stands) is
// read under the same hold. So:
//  - a request never lands between cgkill's freeze and its restore, which
//    would undo it (a lost update);
//  - a restore or thaw-back is made only while the request it undoes is
//    still the job's last one (the lock file records who made it);
//  - a nudge is made only while the job's own freeze request stands.
// Waits for the kernel (FROZEN, THAWED) hold no lock.
//
// A hold (cgkill's freeze) is recorded in the lock file with the state to
// put back. A run killed outright (SIGKILL, the OOM killer) cannot put it
// back; whoever takes the lock next finds the record and puts that state
// back before anything else (acquire() does it), and cgstat shows the job
// as held by a dead run meanwhile (read_hold()).
//
// Where: not a flock on the job's directory, which anyone who may read the
// job can open and lock, stalling root's tools for as long as they like, but
// a file in a directory of the caller's own that nobody else may open (see
// SysIo::open_lock), named after the cgroup's identity (device and inode),
// so that the same cgroup reached through another mount or another spelling
// of its path has the same lock. Runs of different users therefore do not
// exclude each other: each user's runs are safe among themselves.
//
// How long: every lock wait ends at the caller's deadline (ETIMEDOUT), and
// without one after k_lock_bound (EWOULDBLOCK), with the holder's PID in the
// message: no tool waits forever on another run. A run that dies releases
// its locks (the kernel closes its files).

#include <sys/types.h>

#include <optional>
#include <string>

#include "lib/cgroup/cgroup.h"
#include "lib/io/deadline.h"

namespace cgjob {

class Freezer;

/// How long a lock wait lasts when the caller set no deadline: longer than
/// any hold of the tools (cgkill's freeze, signal and v1 exit grace).
inline constexpr auto k_lock_bound = std::chrono::seconds(30);

class JobLock {
 public:
  /// Takes the lock of `cg`, waiting for another run until `deadline` (at
  /// most k_lock_bound when it is never), then puts back the state a dead
  /// run's hold recorded, through `freezer`. Errors: ETIMEDOUT at the
  /// deadline, EWOULDBLOCK at the bound; the detail names the holder's PID.
  static Result<JobLock> acquire(Freezer& freezer, const Cgroup& cg, Deadline deadline);
  /// Takes the lock only if nobody holds it now; nullopt when somebody does.
  static Result<std::optional<JobLock>> try_acquire(Freezer& freezer, const Cgroup& cg);

  JobLock(JobLock&&) noexcept = default;
  JobLock& operator=(JobLock&&) noexcept = default;

  /// Whether this is the lock of `cg` (as the freezer's writes check).
  bool covers(const Cgroup& cg) const { return cg.path() == m_path; }

  /// Records that this run made the job's last freeze or thaw request.
  Status record_request();
  /// Whether the job's last request recorded is this run's.
  bool last_request_is_ours() const;

  /// Records that this run holds the job in a state nobody asked for, and
  /// that `restore_frozen` is the state to put back should it die first.
  Status record_hold(bool restore_frozen);
  /// The state is back: forgets the hold.
  Status clear_hold();

  /// After the job was removed: its lock file goes too, unless a run holds
  /// it now (a lock taken on a removed file is re-opened: ESTALE). `key` is
  /// lock_key() of the job, taken before it was removed.
  static void discard(SysIo& io, std::string_view key);

 private:
  JobLock(SysIo& io, std::string name, std::string path, UniqueFd fd)
      : m_io(&io), m_name(std::move(name)), m_path(std::move(path)), m_fd(std::move(fd)) {}
  /// Writes the file anew: holder, the last request, a hold (if any).
  Status rewrite(std::string_view hold, std::string_view restore);
  Status put_back_dead_hold(Freezer& freezer, const Cgroup& cg, Deadline deadline);

  SysIo* m_io;
  std::string m_name;  ///< the lock file's name in the lock directory
  std::string m_path;  ///< the job's path, recorded for people reading the file
  UniqueFd m_fd;
  std::string m_request;  ///< the run that made the job's last request, as the file says
};

/// The identity a job's lock is named after: its cgroup's device and inode
/// (SysIo::identity), the same through any mount or spelling of its path.
Result<std::string> lock_key(const Cgroup& cg);

/// The lock file's name for a lock key (a hash: keep the names short).
std::string lock_file_name(std::string_view key);

/// This run's token, as recorded by record_request() and record_hold(): its
/// PID and its start time since boot, so that a recycled PID does not match.
const std::string& this_run_token(SysIo& io);

/// A hold recorded in a job's lock file (cgkill's freeze).
struct HoldRecord {
  pid_t owner = 0;       ///< the run that holds (or held) it
  bool alive = false;    ///< that run still exists (its PID and start time match)
  bool restore_frozen = false;  ///< the state it puts back
};

/// The hold recorded for the cgroup at `dir` (AT_FDCWD and its path will
/// do), read without taking the lock (cgstat); nullopt when there is none or
/// no lock file.
std::optional<HoldRecord> read_hold(SysIo& io, DirRef dir);
inline std::optional<HoldRecord> read_hold(const Cgroup& cg) { return read_hold(cg.io(), cg.dir()); }

}  // namespace cgjob
