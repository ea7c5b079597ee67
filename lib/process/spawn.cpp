#include "lib/process/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <string_view>

#include "lib/io/capabilities.h"
#include "lib/base/uapi.h"

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

// A child still without exec after this long gets its job's freezer looked
// at (a normal start takes well under a millisecond), then at doubling
// intervals up to the last.
constexpr auto k_first_freezer_look = std::chrono::milliseconds(2);
constexpr auto k_last_freezer_look = std::chrono::milliseconds(100);
// How long a killed, never-started child is waited for before we give up
// reaping it (a v1 child we could not move out of its frozen job).
constexpr int k_reap_wait_ms = 1000;

[[noreturn]] void child_fail(int pipe_fd, int stage) {
  ChildFailure f{stage, errno};
  ssize_t ignored = ::write(pipe_fd, &f, sizeof f);
  (void)ignored;
  ::_exit(127);
}

// Runs in the child, which is a copy of a single-threaded parent, so plain
// calls are safe; only async-signal-safe ones are used all the same.
[[noreturn]] void child_exec(char* const* argv, int procs_fd, int pipe_fd, int null_fd, const sigset_t* mask) {
  if (::write(pipe_fd, &k_child_started, 1) != 1) ::_exit(127);
  // The caller's own mask, not an empty one: what it blocked stays blocked.
  if (mask != nullptr) ::sigprocmask(SIG_SETMASK, mask, nullptr);
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

// Whether `cg`, or an ancestor, has asked to be frozen or is not thawed.
bool job_frozen(Freezer& freezer, const Cgroup& cg) {
  auto st = freezer.status(cg);
  return st && (st->state != FreezeState::thawed || st->self_freezing || st->parent_freezing);
}

// Kills a child that has not exec'd and reaps it. A frozen v1 task does not
// die before it is thawed: it is moved back home first, which thaws it.
// Without a pidfd, kill(2) is safe here: an unreaped child keeps its PID.
Status kill_unstarted(SpawnedProcess& child, const Freezer& freezer, const Cgroup* home) {
  if (child.pidfd.valid()) {
    (void)uapi::pidfd_send_signal(child.pidfd.get(), SIGKILL);
  } else {
    (void)::kill(child.pid, SIGKILL);
  }
  if (!freezer.traits().frozen_die_of_sigkill && home != nullptr) (void)home->move(child.pid);
  if (child.pidfd.valid()) {
    pollfd exited{child.pidfd.get(), POLLIN, 0};
    int n;
    do {
      n = ::poll(&exited, 1, k_reap_wait_ms);
    } while (n < 0 && errno == EINTR);
    if (n == 0) return text_error("the killed child " + std::to_string(child.pid) +
                                  " stays in the frozen job until it is thawed");
  }
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(child.pid), &info, WEXITED) < 0 && errno == EINTR) {
  }
  return {};
}

enum class Birth { started, killed_before_start, exec_failed, job_frozen, interrupted };

// What the wait for the child's exec found.
struct StartReport {
  Birth birth = Birth::started;
  ChildFailure failure{};
};

// Reads the start pipe until EOF (the child exec'd or died), polling the
// interrupt signalfd and the pidfd too, and looking at the freezer while the
// child is slow: a frozen job never lets it start.
StartReport await_start(int pipe_fd, const SpawnedProcess& child, Freezer& freezer, const Cgroup& cg,
                        int interrupt_fd) {
  char buf[1 + sizeof(ChildFailure)];
  std::size_t got = 0;
  auto pause = k_first_freezer_look;
  for (;;) {
    pollfd fds[3] = {{pipe_fd, POLLIN, 0}, {interrupt_fd, POLLIN, 0}, {child.pidfd.get(), POLLIN, 0}};
    int n = ::poll(fds, 3, static_cast<int>(pause.count()));
    if (n < 0) continue;  // EINTR (the fds are valid, so nothing else)
    if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP))) {
      ssize_t r = ::read(pipe_fd, buf + got, sizeof buf - got);
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (r > 0) {
        got += static_cast<std::size_t>(r);
        if (got < sizeof buf) continue;
      }
      break;  // EOF (exec'd or died), an error, or a full failure report
    }
    // The pipe is checked first: a child that exec'd is started, whatever came along.
    if (n > 0 && (fds[1].revents & POLLIN)) return {Birth::interrupted};
    if (n == 0) {
      if (!job_frozen(freezer, cg)) {
        pause = std::min<std::chrono::milliseconds>(pause * 2, k_last_freezer_look);
        continue;
      }
      pollfd last{pipe_fd, POLLIN, 0};
      if (::poll(&last, 1, 0) > 0) continue;  // it exec'd meanwhile: read the EOF
      return {Birth::job_frozen};
    }
    // pidfd readable: the child is gone; the pipe reports EOF next.
  }
  if (got == 0) return {Birth::killed_before_start};
  if (got < sizeof buf) return {Birth::started};
  StartReport report{Birth::exec_failed};
  std::memcpy(&report.failure, buf + 1, sizeof report.failure);
  return report;
}

struct Attempt {
  SpawnedProcess child;
  Birth birth = Birth::started;
};

// One clone: into the cgroup (v2) or joining it before exec. Returns the
// running child, a child killed before it started (not yet reaped), or an
// error: the child reported one, was refused or interrupted (reaped).
Result<Attempt> start_child(const Cgroup& cg, Freezer& freezer, bool into_cgroup,
                            const std::vector<std::string>& args, char* const* argv, int null_fd,
                            const SpawnOptions& options) {
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
  SysIo& io = cg.io();
  if (into_cgroup) {
    uapi::CloneArgs into = clone_args;
    into.flags |= uapi::k_clone_into_cgroup;
    into.cgroup = static_cast<std::uint64_t>(cg.fd());
    pid = uapi::clone3(&into);
    // The table said yes; ENOSYS/E2BIG/EINVAL all the same (a filter that
    // hides clone3 from us) fall back to joining.
    if (pid < 0 && errno != ENOSYS && errno != E2BIG && errno != EINVAL) {
      return sys_error(errno, "clone3", cg.path());
    }
  }
  UniqueFd procs_fd;
  if (pid < 0) {
    // The child joins the cgroup itself, before exec.
    procs_fd.reset(::openat(cg.fd(), "cgroup.procs", O_WRONLY | O_CLOEXEC));
    if (!procs_fd.valid()) return sys_error(errno, "open", join_path(cg.path(), "cgroup.procs"));
    // clone3 (5.3+) hands back a pidfd with the child; fork(2) before that.
    pid = has_clone3(io) ? uapi::clone3(&clone_args) : -1;
    if (pid < 0 && (!has_clone3(io) || errno == ENOSYS)) pid = ::fork();
    if (pid < 0) return sys_error(errno, "fork", cg.path());
  }
  if (pid == 0) child_exec(argv, procs_fd.get(), report_write.get(), null_fd, options.child_mask);

  report_write.reset();
  Attempt attempt;
  attempt.child.pid = static_cast<pid_t>(pid);
  // Without pidfd_open (before 5.3) the child is waited for by PID: ours
  // until reaped, so it cannot be reused.
  if (pidfd < 0 && has_pidfd_open(io)) pidfd = uapi::pidfd_open(attempt.child.pid);
  attempt.child.pidfd.reset(pidfd);
  (void)::fcntl(report_read.get(), F_SETFL, O_NONBLOCK);

  auto report = await_start(report_read.get(), attempt.child, freezer, cg, options.interrupt_fd);
  attempt.birth = report.birth;
  switch (report.birth) {
    case Birth::started:
    case Birth::killed_before_start:  // left for the caller to reap
      return attempt;
    case Birth::job_frozen:
    case Birth::interrupted: {
      auto killed = kill_unstarted(attempt.child, freezer, options.home);
      if (report.birth == Birth::interrupted) {
        return text_error("interrupted before COMMAND started", cg.path(), EINTR);
      }
      std::string detail = "job is frozen: COMMAND was not started (thaw it first)";
      if (!killed) detail += "; " + killed.error().reason();
      return text_error(detail, cg.path(), EBUSY);
    }
    case Birth::exec_failed:
      break;
  }
  int status = 0;
  while (::waitpid(attempt.child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (report.failure.stage == 0) {
    return sys_error(report.failure.errnum, "write", join_path(cg.path(), "cgroup.procs"));
  }
  return sys_error(report.failure.errnum, "exec", args[0]);
}

// Whether `release` ("6.18.44-...") is at least major.minor.
bool release_at_least(std::string_view release, int major, int minor) {
  int got_major = 0, got_minor = 0;
  auto dot = release.find('.');
  if (dot == std::string_view::npos) return false;
  auto end = release.data() + release.size();
  if (std::from_chars(release.data(), release.data() + dot, got_major).ec != std::errc()) return false;
  (void)std::from_chars(release.data() + dot + 1, end, got_minor);
  return got_major != major ? got_major > major : got_minor >= minor;
}

}  // namespace

Result<bool> probe_clone_into(const Cgroup& scratch) {
  int pidfd = -1;
  uapi::CloneArgs args{};
  args.flags = uapi::k_clone_pidfd | uapi::k_clone_into_cgroup;
  args.pidfd = reinterpret_cast<std::uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  args.cgroup = static_cast<std::uint64_t>(scratch.fd());
  long pid = uapi::clone3(&args);
  if (pid < 0) return sys_error(errno, "clone3", scratch.path());
  if (pid == 0) ::_exit(0);  // nothing else: the parent may have threads
  SpawnedProcess child;
  child.pid = static_cast<pid_t>(pid);
  child.pidfd.reset(pidfd);
  auto code = wait_exit_code(child);
  if (!code) return code.error();
  return *code == 128 + SIGKILL;
}

bool clone_into_trusted(SysIo& io, const std::string& scratch_parent, const CloneIntoProbe& probe) {
  // Why 6.13: the kill sequence numbers came with "cgroup: fix race between
  // fork and cgroup.kill" (6.13); before it, only a kill in progress killed a
  // new child. Still so in 6.18.
  if (!release_at_least(io.kernel_release(), 6, 13)) return true;
  if (scratch_parent.empty()) return false;
  auto parent = Cgroup::open(io, scratch_parent);
  if (!parent) return false;
  if (!parent->has("cgroup.kill")) return true;  // before 5.14: nothing to compare
  const std::string name = ".cgjob-probe-" + std::to_string(io.self_pid());
  const std::string path = join_path(scratch_parent, name);
  auto made = io.make_dir(parent->dir(), name);
  if (!made && made.error().errnum != EEXIST) return false;
  bool trusted = false;
  {
    auto scratch = Cgroup::open(io, path);
    if (scratch) {
      trusted = true;
      for (int round = 0; round < 2 && trusted; ++round) {
        auto written = scratch->write("cgroup.kill", "1");
        auto killed = written ? probe(*scratch) : Result<bool>(written.error());
        trusted = killed && !*killed;
      }
    }
  }
  // An exited child leaves the cgroup at once; rmdir may still say EBUSY
  // for a moment after the last task exits, so it is retried briefly.
  if (auto scratch = Cgroup::open(io, path)) (void)remove_subtree(*scratch, Deadline::after(io, std::chrono::seconds(1)));
  return trusted;
}

Result<SpawnedProcess> spawn_in_cgroup(const Cgroup& cg, Freezer& freezer, const std::vector<std::string>& args,
                                       const SpawnOptions& options) {
  if (args.empty()) return input_error("no command given");
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  UniqueFd null_fd;
  if (options.mode == SpawnMode::detached) {
    null_fd.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null_fd.valid()) return sys_error(errno, "open", "/dev/null");
  }

  // CLONE_INTO_CGROUP (5.7+) takes a cgroup2 directory only; without it the
  // child joins before exec. Linux 6.13+ kills a CLONE_INTO_CGROUP child of
  // a job that was ever killed through cgroup.kill before its first
  // instruction (clone_into_trusted), which looks exactly like a real
  // cgroup.kill racing the start: where the kernel does so, the child joins
  // instead, found out once per run before any child of the job exists.
  bool into_cgroup = freezer.traits().clone_into_cgroup && has_clone_into_cgroup(cg.io());
  if (into_cgroup && options.start == StartMethod::join) into_cgroup = false;
  if (into_cgroup && options.start == StartMethod::automatic) {
    static const bool trusted = clone_into_trusted(cg.io(), options.scratch_parent, probe_clone_into);
    into_cgroup = trusted;
  }
  auto attempt = start_child(cg, freezer, into_cgroup, args, argv.data(), null_fd.get(), options);
  if (!attempt) return attempt.error();
  // A child killed before it started was killed by a cgroup.kill racing with
  // us, never started again: the caller sees it die of SIGKILL, as it would
  // have a moment later.
  return std::move(attempt->child);
}

Result<SpawnedProcess> spawn_in_cgroup(const Cgroup& cg, HierarchyKind kind, const std::vector<std::string>& args,
                                       SpawnMode mode) {
  auto freezer = make_freezer(cg.io(), kind);
  SpawnOptions options;
  options.mode = mode;
  return spawn_in_cgroup(cg, *freezer, args, options);
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
