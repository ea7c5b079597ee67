#pragma once
// A task held by something that names the task, not its PID, so that a PID
// reused by another task is never mistaken for it.

#include <sys/types.h>

#include "lib/base/error.h"
#include "lib/io/sys_io.h"
#include "lib/base/unique_fd.h"

namespace cgjob {

class PinnedTask {
 public:
  /// How a signal reached the task.
  enum class Delivery {
    certain,      ///< it was the pinned task
    unconfirmed,  ///< kill(2) without pidfds, and the pinned task was gone right
                  ///< after it: the PID may have been another task's by then
  };

  /// Pins `pid`: by a pidfd where the kernel has pidfd_open and
  /// pidfd_send_signal (has_pidfds), else by its /proc/PID directory (before
  /// 5.3). ESRCH (or ENOENT) when there is no such process.
  static Result<PinnedTask> pin(SysIo& io, pid_t pid);

  pid_t pid() const { return m_pid; }
  bool by_pidfd() const { return m_by_pidfd; }

  /// Whether the pinned task still exists; a zombie does (its PID is not free).
  bool alive();

  /// Sends `sig` to the pinned task; ESRCH when it is gone (nobody was
  /// signalled). Through a pidfd the kernel picks the task. Without one:
  /// look through the pin (alive), kill(2) the PID, look again. A task keeps
  /// its PID until it is reaped, so a task still there after the kill held
  /// the PID during it: certain. Gone after the kill: it died around the
  /// kill and could have been reaped and its PID reused before it: unconfirmed.
  Result<Delivery> signal(int sig);

  /// The pidfd, for waiting on the task's exit; invalid when pinned by /proc.
  UniqueFd take_pidfd() { return m_by_pidfd ? std::move(m_fd) : UniqueFd(); }

 private:
  PinnedTask(SysIo& io, pid_t pid, UniqueFd fd, bool by_pidfd)
      : m_io(&io), m_pid(pid), m_fd(std::move(fd)), m_by_pidfd(by_pidfd) {}
  SysIo* m_io;
  pid_t m_pid;
  UniqueFd m_fd;
  bool m_by_pidfd;
};

}  // namespace cgjob
