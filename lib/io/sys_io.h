#pragma once
// The I/O seam: every file, directory, pidfd, poll and clock access of the
// library goes through SysIo, so that unit tests can make the kernel answer
// EBUSY, ENOENT, ENODEV or ESRCH on chosen paths, or lack cgroup.kill, without
// root. The real implementation does everything *at() relative to a directory
// fd; a fake may key on the path instead.

#include <poll.h>
#include <sys/types.h>

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lib/io/capabilities.h"
#include "lib/base/error.h"
#include "lib/base/unique_fd.h"

namespace cgjob {

using Clock = std::chrono::steady_clock;

/// An open directory: `fd` for the kernel (AT_FDCWD with an absolute name),
/// `path` for messages and for fakes.
struct DirRef {
  int fd;
  std::string_view path;
};

class SysIo {
 public:
  virtual ~SysIo() = default;

  /// Opens directory `name` below `at` (O_DIRECTORY|O_CLOEXEC, usable by clone3).
  virtual Result<UniqueFd> open_dir(DirRef at, std::string_view name) = 0;
  /// mkdir; EEXIST is reported like any other error.
  virtual Status make_dir(DirRef at, std::string_view name) = 0;
  /// rmdir of a cgroup; EBUSY while it still has tasks or children.
  virtual Status remove_dir(DirRef at, std::string_view name) = 0;
  /// Names of the subdirectories of `dir`, sorted.
  virtual Result<std::vector<std::string>> list_dirs(DirRef dir) = 0;
  /// Whether `name` exists in `dir` (a probe, e.g. for cgroup.kill).
  virtual bool has_file(DirRef dir, std::string_view name) = 0;

  /// Whole content of `name` below `dir`.
  virtual Result<std::string> read_file(DirRef dir, std::string_view name) = 0;
  /// One write(2) of `data` to `name` below `dir` (cgroupfs takes one value per write).
  virtual Status write_file(DirRef dir, std::string_view name, std::string_view data) = 0;
  /// Opens `name` for repeated pread and poll (cgroup.events).
  virtual Result<UniqueFd> open_file(DirRef dir, std::string_view name) = 0;
  /// Reads an fd from open_file again from offset 0; also re-arms kernfs poll.
  virtual Result<std::string> reread(int fd, std::string_view path) = 0;
  /// Opens `name` for repeated writes (many PIDs to cgroup.procs: the open
  /// costs as much as a move).
  virtual Result<UniqueFd> open_for_writing(DirRef dir, std::string_view name) = 0;
  /// One write(2) of `data` to an fd from open_for_writing; `path` names it in errors.
  virtual Status write_to(int fd, std::string_view path, std::string_view data) = 0;

  /// statfs(2) f_type of `path` (CGROUP2_SUPER_MAGIC, CGROUP_SUPER_MAGIC ...).
  virtual Result<long> fs_magic(std::string_view path) = 0;
  /// uname(2) release, e.g. "6.18.44".
  virtual std::string kernel_release() = 0;
  /// geteuid(2). Decides between the mount's job root (root) and one in a
  /// delegated subtree (anyone else). The default is 0: a SysIo that models
  /// no credentials stands for root.
  virtual uid_t effective_uid() { return 0; }
  /// faccessat(2) W_OK with AT_EACCESS: whether this caller may write `name`
  /// below `dir` (an absolute `name` ignores `dir`). False for a missing file
  /// too. The default says yes, like effective_uid()'s root.
  virtual bool may_write(DirRef dir, std::string_view name) {
    (void)dir;
    (void)name;
    return true;
  }

  /// getpid(2).
  virtual pid_t self_pid() = 0;

  // -- job locks (lib/freezer/job_lock.h says how they are used) --
  /// Opens, creating it (mode 0600), lock file `name` in this caller's own
  /// lock directory, which nobody else may write (see lib/freezer/job_lock.h):
  /// made 0700 on first use, refused when another user owns it or may write it.
  virtual Result<UniqueFd> open_lock(std::string_view name) = 0;
  /// Takes an exclusive flock(2) on lock file `fd`, waiting up to `wait` for
  /// its holder to close it (woken by inotify, not by polling); false when it
  /// is still held then. Once taken, ESTALE when `name` no longer names this
  /// file (it was removed with its job while we waited): open it anew.
  virtual Result<bool> lock_file(int fd, std::string_view name, Clock::duration wait) = 0;
  /// Replaces the whole content of lock file `fd`.
  virtual Status rewrite_lock(int fd, std::string_view name, std::string_view data) = 0;
  /// Removes lock file `name` (its job is gone); ENOENT is fine.
  virtual Status remove_lock(std::string_view name) = 0;
  /// What lock file `name` says, read without taking or creating it (cgstat
  /// shows a dead run's hold); ENOENT when there is none.
  virtual Result<std::string> read_lock(std::string_view name) = 0;
  /// What names the cgroup open at `dir` (or, with AT_FDCWD, at its path)
  /// whatever the mount or the spelling of its path: its device and inode (on cgroupfs the inode is the cgroup's
  /// ID, never reused while the system runs). The default, for fakes without
  /// inodes, is the path.
  virtual Result<std::string> identity(DirRef dir) { return std::string(dir.path); }

  /// pidfd_open(2): ESRCH for no such process, ENOSYS before 5.3.
  virtual Result<UniqueFd> pidfd_open(pid_t pid) = 0;
  /// pidfd_send_signal(2): ESRCH once the process has exited, ENOSYS before 5.1.
  virtual Status send_signal(int pidfd, int sig) = 0;
  /// clone3(2) with arguments it must refuse, creating no process: ENOSYS
  /// before 5.3, E2BIG where it lacks the cgroup field (before 5.7), EINVAL
  /// otherwise (see lib/io/capabilities.h).
  virtual Status probe_clone3() = 0;
  /// Opens /proc/PID as a directory: it pins that task (not its PID) without
  /// pidfd_open, for kernels before 5.3. ESRCH/ENOENT for no such process.
  virtual Result<UniqueFd> pin_task(pid_t pid) = 0;
  /// Whether the task pinned by `pin` still exists (a zombie does: its PID is
  /// not free yet): a lookup through the pin fails with ENOENT/ESRCH once it
  /// is reaped, even if its PID names another task by then.
  virtual bool pinned_alive(int pin) = 0;
  /// kill(2) of `pid`: whoever holds that PID now.
  virtual Status kill_pid(pid_t pid, int sig) = 0;

  /// What this kernel offers, filled in as it is probed (lib/io/capabilities.h).
  Capabilities& capabilities() { return m_capabilities; }
  /// poll(2) with a timeout; returns the number of ready fds. EINTR is 0.
  virtual Result<int> poll(std::span<pollfd> fds, Clock::duration timeout) = 0;
  virtual Clock::time_point now() = 0;

 private:
  Capabilities m_capabilities;
};

/// The process-wide implementation backed by real syscalls.
SysIo& real_sys_io();

/// "dir/name", without doubling a slash.
std::string join_path(std::string_view dir, std::string_view name);

}  // namespace cgjob
