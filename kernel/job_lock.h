#pragma once
// The job lock: the one discipline for changing a job's freeze state.
//
// Every change of a job's freeze state is made holding the job's lock: a
// freeze or thaw request, a v1 nudge, cgkill's freeze and its restore (and
// v1 SIGKILL's thaw and re-freeze of frozen sub-jobs), the thaw-back after a
// --timeout. Whatever such a change rests on (the state before a request,
// whether a request still stands) is read under the same hold. So:
//  - a request never lands between cgkill's freeze and its restore, which
//    would undo it (a lost update);
//  - a restore or thaw-back is made only while the request it undoes is
//    still the job's last one (the lock file records who made it);
//  - a nudge is made only while the job's own freeze request stands.
// Waits for the kernel (FROZEN, THAWED) hold no lock.
//
// Where: not a flock on the job's directory, which anyone who may read the
// job can open and lock, stalling root's tools for as long as they like, but
// a file in a directory of the caller's own that nobody else may open (see
// SysIo::open_lock). Runs of different users therefore do not exclude each
// other: each user's runs are safe among themselves.
//
// How long: every lock wait ends at the caller's deadline (ETIMEDOUT), and
// without one after k_lock_bound (EWOULDBLOCK), with the holder's PID in the
// message: no tool waits forever on another run. A run that dies releases
// its locks (the kernel closes its files).

#include <sys/types.h>

#include <optional>
#include <string>

#include "kernel/cgroup.h"
#include "kernel/deadline.h"

namespace cgjob {

/// How long a lock wait lasts when the caller set no deadline: longer than
/// any hold of the tools (cgkill's freeze, signal and v1 exit grace).
inline constexpr auto k_lock_bound = std::chrono::seconds(30);

class JobLock {
 public:
  /// Takes the lock of `cg`, waiting for another run until `deadline` (at
  /// most k_lock_bound when it is never). Errors: ETIMEDOUT at the deadline,
  /// EWOULDBLOCK at the bound; the detail names the holder's PID.
  static Result<JobLock> acquire(const Cgroup& cg, Deadline deadline);
  /// Takes the lock only if nobody holds it now; nullopt when somebody does.
  static Result<std::optional<JobLock>> try_acquire(const Cgroup& cg);

  JobLock(JobLock&&) noexcept = default;
  JobLock& operator=(JobLock&&) noexcept = default;

  /// Records that this run made the job's last freeze or thaw request.
  Status record_request();
  /// Whether the job's last request recorded is this run's.
  bool last_request_is_ours() const;
  /// After the job at `path` was removed: its lock file goes too, unless a
  /// run holds it now (a lock taken on a removed file is re-opened: ESTALE).
  static void discard(SysIo& io, std::string_view path);

 private:
  JobLock(SysIo& io, std::string name, std::string path, UniqueFd fd)
      : m_io(&io), m_name(std::move(name)), m_path(std::move(path)), m_fd(std::move(fd)) {}
  std::string last_request() const;

  SysIo* m_io;
  std::string m_name;  ///< the lock file's name in the lock directory
  std::string m_path;  ///< the job's path, recorded for people reading the file
  UniqueFd m_fd;
};

/// The lock file's name for the job at `path` (a hash: paths can be longer
/// than a file name).
std::string lock_file_name(std::string_view path);

/// This run's token, as recorded by record_request(): the PID and the time
/// the run first asked, so that a recycled PID does not match.
const std::string& this_run_token(SysIo& io);

}  // namespace cgjob
