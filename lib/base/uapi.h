#pragma once
// Every UAPI constant and raw syscall the project needs, in one place. glibc
// 2.36 (Debian 12) wraps neither pidfd_send_signal nor clone3, and its
// <sys/pidfd.h> is missing from older releases, so we call them directly.

#include <linux/magic.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

// pidfd_open/pidfd_send_signal: 5.3+/5.1+. Syscall numbers are the same on
// every architecture since 5.1's unified table.
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

namespace cgjob::uapi {

// clone3: 5.3+; CLONE_INTO_CGROUP: 5.7+ (cgroup2 only). Layout of struct
// clone_args version 2 (CLONE_ARGS_SIZE_VER2), spelled out so that we need not
// mix <linux/sched.h> with glibc's <sched.h>.
struct CloneArgs {
  std::uint64_t flags;
  std::uint64_t pidfd;
  std::uint64_t child_tid;
  std::uint64_t parent_tid;
  std::uint64_t exit_signal;
  std::uint64_t stack;
  std::uint64_t stack_size;
  std::uint64_t tls;
  std::uint64_t set_tid;
  std::uint64_t set_tid_size;
  std::uint64_t cgroup;
};
inline constexpr std::uint64_t k_clone_pidfd = 0x00001000ULL;
inline constexpr std::uint64_t k_clone_into_cgroup = 0x200000000ULL;

/// waitid(2) idtype for a pidfd (5.4+); glibc 2.36 does not define P_PIDFD.
inline constexpr int k_p_pidfd = 3;

/// The kernel's PF_KTHREAD task flag, as /proc/PID/stat field 9 shows it.
inline constexpr unsigned long k_pf_kthread = 0x00200000UL;

/// pidfd_open(2); -1 with errno (ENOSYS before 5.3, ESRCH for a gone pid).
inline int pidfd_open(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}
/// pidfd_send_signal(2); -1 with errno (ESRCH once the process has exited).
inline int pidfd_send_signal(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}
/// clone3(2): returns 0 in the child, the pid in the parent, -1 with errno.
inline long clone3(CloneArgs* args) {
  return ::syscall(SYS_clone3, args, sizeof(CloneArgs));
}

}  // namespace cgjob::uapi
