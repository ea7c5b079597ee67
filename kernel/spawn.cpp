#include "kernel/spawn.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kernel/uapi.h"

namespace cgjob {
namespace {

// What the child reports back through the CLOEXEC pipe when it fails.
struct ChildFailure {
  int stage;  // 0: joining the cgroup, 1: exec
  int errnum;
};

[[noreturn]] void child_fail(int pipe_fd, int stage) {
  ChildFailure f{stage, errno};
  ssize_t ignored = ::write(pipe_fd, &f, sizeof f);
  (void)ignored;
  ::_exit(127);
}

// Runs in the child, which is a copy of a single-threaded parent, so plain
// calls are safe; only async-signal-safe ones are used all the same.
[[noreturn]] void child_exec(char* const* argv, int procs_fd, int pipe_fd, int null_fd) {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (null_fd >= 0) {
    ::setsid();
    for (int fd = 0; fd <= 2; ++fd) {
      if (::dup2(null_fd, fd) < 0) child_fail(pipe_fd, 1);
    }
  }
  if (procs_fd >= 0) {
    // "0" means the writing task itself (v1 and v2).
    if (::write(procs_fd, "0", 1) < 0) child_fail(pipe_fd, 0);
  }
  ::execvp(argv[0], argv);
  child_fail(pipe_fd, 1);
}

}  // namespace

Result<SpawnedProcess> spawn_in_cgroup(const Cgroup& cg, HierarchyKind kind,
                                       const std::vector<std::string>& args, SpawnMode mode) {
  if (args.empty()) return input_error("no command given");
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) < 0) return sys_error(errno, "pipe");
  UniqueFd report_read(pipe_fds[0]);
  UniqueFd report_write(pipe_fds[1]);

  UniqueFd null_fd;
  if (mode == SpawnMode::detached) {
    null_fd.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null_fd.valid()) return sys_error(errno, "open", "/dev/null");
  }

  int pidfd = -1;
  uapi::CloneArgs clone_args{};
  clone_args.flags = uapi::k_clone_pidfd;
  clone_args.pidfd = reinterpret_cast<std::uint64_t>(&pidfd);
  clone_args.exit_signal = SIGCHLD;
  long pid = -1;
  if (kind == HierarchyKind::v2) {
    uapi::CloneArgs into = clone_args;
    into.flags |= uapi::k_clone_into_cgroup;
    into.cgroup = static_cast<std::uint64_t>(cg.fd());
    pid = uapi::clone3(&into);
    // clone3: 5.3+ (ENOSYS); CLONE_INTO_CGROUP: 5.7+ (E2BIG/EINVAL before).
    if (pid < 0 && errno != ENOSYS && errno != E2BIG && errno != EINVAL) {
      return sys_error(errno, "clone3", cg.path());
    }
  }
  UniqueFd procs_fd;
  if (pid < 0) {
    // The child joins the cgroup itself, before exec.
    procs_fd.reset(::openat(cg.fd(), "cgroup.procs", O_WRONLY | O_CLOEXEC));
    if (!procs_fd.valid()) return sys_error(errno, "open", join_path(cg.path(), "cgroup.procs"));
    pid = uapi::clone3(&clone_args);
    if (pid < 0 && errno == ENOSYS) pid = ::fork();
    if (pid < 0) return sys_error(errno, "fork", cg.path());
  }
  if (pid == 0) child_exec(argv.data(), procs_fd.get(), report_write.get(), null_fd.get());

  report_write.reset();
  procs_fd.reset();
  SpawnedProcess child;
  child.pid = static_cast<pid_t>(pid);
  if (pidfd < 0) pidfd = uapi::pidfd_open(child.pid);
  child.pidfd.reset(pidfd);

  ChildFailure failure{};
  ssize_t n;
  do {
    n = ::read(report_read.get(), &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof failure)) {
    int status = 0;
    ::waitpid(child.pid, &status, 0);
    if (failure.stage == 0) return sys_error(failure.errnum, "write", join_path(cg.path(), "cgroup.procs"));
    return sys_error(failure.errnum, "exec", args[0]);
  }
  return child;
}

Result<int> wait_exit_code(const SpawnedProcess& child) {
  siginfo_t info{};
  for (;;) {
    int r = child.pidfd.valid() ? ::waitid(static_cast<idtype_t>(uapi::k_p_pidfd), static_cast<id_t>(child.pidfd.get()), &info, WEXITED)
                                : ::waitid(P_PID, static_cast<id_t>(child.pid), &info, WEXITED);
    if (r == 0) break;
    if (errno != EINTR) return sys_error(errno, "waitid");
  }
  if (info.si_code == CLD_EXITED) return info.si_status;
  return 128 + info.si_status;
}

}  // namespace cgjob
