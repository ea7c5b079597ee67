#include "lib/signal/pinned_task.h"

#include <cerrno>

#include "lib/io/capabilities.h"

namespace cgjob {

Result<PinnedTask> PinnedTask::pin(SysIo& io, pid_t pid) {
  bool by_pidfd = has_pidfds(io);
  auto fd = by_pidfd ? io.pidfd_open(pid) : io.pin_task(pid);
  // Why EINVAL is "gone": pidfd_open(2) answers it for a PID that no longer
  // has a thread-group leader, a process being reaped right after a read
  // of cgroup.procs listed it (seen in a 6.1 guest).
  if (!fd && by_pidfd && fd.error().errnum == EINVAL) {
    Error gone = fd.error();
    gone.errnum = ESRCH;
    return gone;
  }
  if (!fd) return fd.error();
  return PinnedTask(io, pid, std::move(*fd), by_pidfd);
}

bool PinnedTask::alive() {
  if (!m_fd.valid()) return false;
  if (!m_by_pidfd) return m_io->pinned_alive(m_fd.get());
  // Signal 0 checks without sending; EPERM (another user's task) is alive.
  auto probe = m_io->send_signal(m_fd.get(), 0);
  return probe.ok() || probe.error().errnum != ESRCH;
}

Result<PinnedTask::Delivery> PinnedTask::signal(int sig) {
  if (m_by_pidfd) {
    auto sent = m_io->send_signal(m_fd.get(), sig);
    if (!sent) {
      Error e = sent.error();  // say which process it was
      if (e.path.empty()) e.path = "/proc/" + std::to_string(m_pid);
      return e;
    }
    return Delivery::certain;
  }
  if (!alive()) return sys_error(ESRCH, "kill", "/proc/" + std::to_string(m_pid));
  auto sent = m_io->kill_pid(m_pid, sig);
  if (!sent) {
    // ESRCH: gone meanwhile, and nobody else held the PID yet.
    return sent.error();
  }
  return alive() ? Delivery::certain : Delivery::unconfirmed;
}

}  // namespace cgjob
