#include "kernel/spawn.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kernel/uapi.h"

namespace cgjob {
namespace {

// The child's first act is to send this byte through the CLOEXEC pipe, so a
// child that never sent it was killed before it ran a single instruction.
constexpr char k_child_started = 'S';

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
  if (::write(pipe_fd, &k_child_started, 1) != 1) ::_exit(127);
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

ssize_t read_retrying(int fd, void* buf, std::size_t len) {
  ssize_t n;
  do {
    n = ::read(fd, buf, len);
  } while (n < 0 && errno == EINTR);
  return n;
}

enum class Birth { started, killed_before_start };

struct Attempt {
  SpawnedProcess child;
  Birth birth = Birth::started;
};

// One clone: into the cgroup (v2) or joining it before exec. Returns the
// running child, a child killed before it started (not yet reaped), or the
// error the child reported (reaped).
Result<Attempt> start_child(const Cgroup& cg, bool into_cgroup, const std::vector<std::string>& args,
                            char* const* argv, int null_fd) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) < 0) return sys_error(errno, "pipe");
  UniqueFd report_read(pipe_fds[0]);
  UniqueFd report_write(pipe_fds[1]);

  int pidfd = -1;
  uapi::CloneArgs clone_args{};
  clone_args.flags = uapi::k_clone_pidfd;
  clone_args.pidfd = reinterpret_cast<std::uint64_t>(&pidfd);
  clone_args.exit_signal = SIGCHLD;
  long pid = -1;
  if (into_cgroup) {
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
  if (pid == 0) child_exec(argv, procs_fd.get(), report_write.get(), null_fd);

  report_write.reset();
  Attempt attempt;
  attempt.child.pid = static_cast<pid_t>(pid);
  if (pidfd < 0) pidfd = uapi::pidfd_open(attempt.child.pid);
  attempt.child.pidfd.reset(pidfd);

  char started = 0;
  ChildFailure failure{};
  bool reported_start = read_retrying(report_read.get(), &started, 1) == 1;
  bool reported_failure =
      reported_start && read_retrying(report_read.get(), &failure, sizeof failure) == sizeof failure;
  if (reported_start && !reported_failure) return attempt;  // exec succeeded
  if (!reported_start) {
    attempt.birth = Birth::killed_before_start;  // left for the caller to reap
    return attempt;
  }
  int status = 0;
  while (::waitpid(attempt.child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (failure.stage == 0) return sys_error(failure.errnum, "write", join_path(cg.path(), "cgroup.procs"));
  return sys_error(failure.errnum, "exec", args[0]);
}

}  // namespace

Result<SpawnedProcess> spawn_in_cgroup(const Cgroup& cg, HierarchyKind kind,
                                       const std::vector<std::string>& args, SpawnMode mode) {
  if (args.empty()) return input_error("no command given");
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  UniqueFd null_fd;
  if (mode == SpawnMode::detached) {
    null_fd.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null_fd.valid()) return sys_error(errno, "open", "/dev/null");
  }

  bool into_cgroup = kind == HierarchyKind::v2;
  auto attempt = start_child(cg, into_cgroup, args, argv.data(), null_fd.get());
  if (attempt && attempt->birth == Birth::killed_before_start && into_cgroup) {
    // Linux 6.13 and later (still in 6.18) compare a CLONE_INTO_CGROUP
    // child's cgroup.kill sequence number with that of the *parent's*
    // cgroup, so a child born into a job that was ever killed through
    // cgroup.kill is SIGKILLed before its first instruction. It never ran
    // anything, so starting it again by joining the job is safe.
    (void)wait_exit_code(attempt->child);
    attempt = start_child(cg, false, args, argv.data(), null_fd.get());
  }
  if (!attempt) return attempt.error();
  // A child killed before it started again was killed by a real cgroup.kill
  // racing with us: the caller sees it die of SIGKILL, as it would have.
  return std::move(attempt->child);
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
