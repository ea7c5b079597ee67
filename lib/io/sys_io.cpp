#include "lib/io/sys_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>

#include "lib/base/uapi.h"

namespace cgjob {
namespace {

std::string full(DirRef dir, std::string_view name) {
  if (!name.empty() && name.front() == '/') return std::string(name);
  return join_path(dir.path, name);
}

// Reads all of fd from offset 0. cgroupfs files are small, but cgroup.procs of
// a large job is not: grow until read returns 0.
Result<std::string> read_all(int fd, std::string_view path) {
  std::string out;
  std::size_t used = 0;
  out.resize(4096);
  for (;;) {
    ssize_t n = ::pread(fd, out.data() + used, out.size() - used, static_cast<off_t>(used));
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error(errno, "read", std::string(path));
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
    if (used == out.size()) out.resize(out.size() * 2);
  }
  out.resize(used);
  return out;
}

// Where this caller's job locks live: a directory that only the caller can
// write and open, so that nobody else can hold a lock there (a lock on the
// job's own directory can be taken by anyone who may read the job).
// CGJOB_LOCK_DIR, else root: /run/cgjob; others: $XDG_RUNTIME_DIR/cgjob,
// /run/user/UID/cgjob, or where neither can be made, one in the caller's
// home ($XDG_STATE_HOME/cgjob, ~/.local/state/cgjob). Never a fixed name in
// /tmp: any local user could make it first and deny us every lock.
std::vector<std::string> lock_dir_candidates(uid_t uid) {
  const char* forced = std::getenv("CGJOB_LOCK_DIR");
  if (forced && *forced) return {forced};
  std::vector<std::string> out;
  if (uid == 0) {
    out.push_back("/run/cgjob");
    return out;
  }
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (runtime && runtime[0] == '/') out.push_back(join_path(runtime, "cgjob"));
  out.push_back("/run/user/" + std::to_string(uid) + "/cgjob");
  const char* state = std::getenv("XDG_STATE_HOME");
  const char* home = std::getenv("HOME");
  if (state && state[0] == '/') {
    out.push_back(join_path(state, "cgjob"));
  } else if (home && home[0] == '/') {
    out.push_back(join_path(home, ".local/state/cgjob"));
  }
  return out;
}

// Makes (0700) and opens `path`; refuses a directory that another user owns
// or may write: whoever can write it could hold our locks.
Result<UniqueFd> open_private_dir(const std::string& path, uid_t uid) {
  if (::mkdir(path.c_str(), 0700) < 0 && errno == ENOENT) {
    // ~/.local/state may not exist yet: its missing parents are made as
    // XDG tools make them (0700); where we may not, mkdir says so below.
    for (auto slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      (void)::mkdir(path.substr(0, slash).c_str(), 0700);
    }
    (void)::mkdir(path.c_str(), 0700);
  }
  if (::mkdir(path.c_str(), 0700) < 0 && errno != EEXIST) return sys_error(errno, "mkdir", path);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return sys_error(errno, "open", path);
  struct stat st {};
  if (::fstat(fd.get(), &st) < 0) return sys_error(errno, "stat", path);
  if (st.st_uid != uid || (st.st_mode & 022) != 0) {
    return text_error("lock directory is owned by uid " + std::to_string(st.st_uid) +
                          " or writable by others: refusing it", path, EPERM);
  }
  return fd;
}

class RealSysIo final : public SysIo {
 public:
  Result<UniqueFd> open_dir(DirRef at, std::string_view name) override {
    std::string n(name);
    int fd = ::openat(at.fd, n.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return sys_error(errno, "open", full(at, name));
    return UniqueFd(fd);
  }

  Status make_dir(DirRef at, std::string_view name) override {
    std::string n(name);
    if (::mkdirat(at.fd, n.c_str(), 0755) < 0) return sys_error(errno, "mkdir", full(at, name));
    return {};
  }

  Status remove_dir(DirRef at, std::string_view name) override {
    std::string n(name);
    if (::unlinkat(at.fd, n.c_str(), AT_REMOVEDIR) < 0) return sys_error(errno, "rmdir", full(at, name));
    return {};
  }

  Result<std::vector<std::string>> list_dirs(DirRef dir) override {
    int fd = ::openat(dir.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return sys_error(errno, "open", std::string(dir.path));
    DIR* d = ::fdopendir(fd);
    if (!d) {
      int e = errno;
      ::close(fd);
      return sys_error(e, "open", std::string(dir.path));
    }
    std::vector<std::string> names;
    errno = 0;
    while (dirent* e = ::readdir(d)) {
      // cgroupfs reports d_type; a control file is never DT_DIR.
      if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
      names.emplace_back(e->d_name);
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) return sys_error(err, "read", std::string(dir.path));
    std::sort(names.begin(), names.end());
    return names;
  }

  bool has_file(DirRef dir, std::string_view name) override {
    std::string n(name);
    return ::faccessat(dir.fd, n.c_str(), F_OK, 0) == 0;
  }

  Result<std::string> read_file(DirRef dir, std::string_view name) override {
    auto fd = open_file(dir, name);
    if (!fd) return fd.error();
    return read_all(fd->get(), full(dir, name));
  }

  Status write_file(DirRef dir, std::string_view name, std::string_view data) override {
    auto fd = open_for_writing(dir, name);
    if (!fd) return fd.error();
    return write_to(fd->get(), full(dir, name), data);
  }

  Result<UniqueFd> open_for_writing(DirRef dir, std::string_view name) override {
    std::string n(name);
    int fd = ::openat(dir.fd, n.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return sys_error(errno, "open", full(dir, name));
    return UniqueFd(fd);
  }

  Status write_to(int fd, std::string_view path, std::string_view data) override {
    for (;;) {
      ssize_t w = ::write(fd, data.data(), data.size());
      if (w >= 0) return {};
      if (errno != EINTR) return sys_error(errno, "write", std::string(path));
    }
  }

  Result<UniqueFd> open_file(DirRef dir, std::string_view name) override {
    std::string n(name);
    int fd = ::openat(dir.fd, n.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sys_error(errno, "open", full(dir, name));
    return UniqueFd(fd);
  }

  Result<std::string> reread(int fd, std::string_view path) override { return read_all(fd, path); }

  Result<long> fs_magic(std::string_view path) override {
    struct statfs st {};
    std::string p(path);
    if (::statfs(p.c_str(), &st) < 0) return sys_error(errno, "statfs", p);
    return static_cast<long>(st.f_type);
  }

  std::string kernel_release() override {
    struct utsname u {};
    if (::uname(&u) < 0) return {};
    return u.release;
  }

  uid_t effective_uid() override { return ::geteuid(); }

  bool may_write(DirRef dir, std::string_view name) override {
    std::string n(name);
    // AT_EACCESS: the effective ids decide, as they do for the write itself.
    return ::faccessat(dir.fd, n.c_str(), W_OK, AT_EACCESS) == 0;
  }

  pid_t self_pid() override { return ::getpid(); }

  Result<UniqueFd> open_lock(std::string_view name) override {
    auto dir = lock_dir();
    if (!dir) return dir.error();
    std::string n(name);
    int fd = ::openat((*dir)->fd.get(), n.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return sys_error(errno, "open", join_path((*dir)->path, name));
    return UniqueFd(fd);
  }

  Result<bool> lock_file(int fd, std::string_view name, Clock::duration wait) override {
    auto dir = lock_dir();
    if (!dir) return dir.error();
    std::string path = join_path((*dir)->path, name);
    auto taken = try_flock(fd, path);
    if (!taken || *taken || wait <= Clock::duration::zero()) return checked(taken, fd, **dir, name);
    // Woken when the holder closes the file (or dies): inotify, armed before
    // the second try so that a release in between is not missed.
    UniqueFd notify(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (notify.valid()) {
      (void)::inotify_add_watch(notify.get(), path.c_str(), IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_DELETE_SELF);
    }
    taken = try_flock(fd, path);
    if (!taken || *taken) return checked(taken, fd, **dir, name);
    pollfd p{notify.get(), POLLIN, 0};
    (void)poll(std::span<pollfd>(&p, notify.valid() ? 1 : 0), wait);
    return checked(try_flock(fd, path), fd, **dir, name);
  }

  Status rewrite_lock(int fd, std::string_view name, std::string_view data) override {
    if (::ftruncate(fd, 0) < 0) return sys_error(errno, "truncate", std::string(name));
    if (::pwrite(fd, data.data(), data.size(), 0) < 0) return sys_error(errno, "write", std::string(name));
    return {};
  }

  Result<std::string> read_lock(std::string_view name) override {
    // The directory is found once per process (cgstat reads one file per
    // job): the one in use, else the first of the caller's own that exists.
    // Read only: no directory is made, and one that is not the caller's own
    // is not read (its content could be anybody's).
    if (!m_lock_dir && !m_read_lock_dir) {
      m_read_lock_dir = std::make_unique<LockDir>();
      for (const auto& path : lock_dir_candidates(::geteuid())) {
        UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        struct stat st {};
        if (dir.valid() && ::fstat(dir.get(), &st) == 0 && st.st_uid == ::geteuid() && (st.st_mode & 022) == 0) {
          *m_read_lock_dir = LockDir{std::move(dir), path};
          break;
        }
      }
    }
    const LockDir& dir = m_lock_dir ? *m_lock_dir : *m_read_lock_dir;
    if (!dir.fd.valid()) return sys_error(ENOENT, "open", std::string(name));
    return read_file(DirRef{dir.fd.get(), dir.path}, name);
  }

  Result<std::string> identity(DirRef dir) override {
    struct stat st {};
    std::string path(dir.path);
    int failed = dir.fd == AT_FDCWD ? ::stat(path.c_str(), &st) : ::fstat(dir.fd, &st);
    if (failed < 0) return sys_error(errno, "stat", path);
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  }

  Status remove_lock(std::string_view name) override {
    auto dir = lock_dir();
    if (!dir) return dir.error();
    std::string n(name);
    if (::unlinkat((*dir)->fd.get(), n.c_str(), 0) < 0 && errno != ENOENT) {
      return sys_error(errno, "unlink", join_path((*dir)->path, name));
    }
    return {};
  }

  Result<UniqueFd> pidfd_open(pid_t pid) override {
    int fd = uapi::pidfd_open(pid);
    if (fd < 0) return sys_error(errno, "pidfd_open", "/proc/" + std::to_string(pid));
    return UniqueFd(fd);
  }

  Status send_signal(int pidfd, int sig) override {
    if (uapi::pidfd_send_signal(pidfd, sig) < 0) return sys_error(errno, "pidfd_send_signal");
    return {};
  }

  Status probe_clone3() override {
    // A non-zero cgroup field that a kernel without it must refuse (E2BIG),
    // and an exit signal every clone3 refuses (EINVAL) before it forks.
    uapi::CloneArgs args{};
    args.exit_signal = 1ULL << 32;
    args.cgroup = 1;
    if (uapi::clone3(&args) >= 0) ::_exit(127);  // cannot happen; a child must not run on
    return sys_error(errno, "clone3");
  }

  Result<UniqueFd> pin_task(pid_t pid) override {
    std::string path = "/proc/" + std::to_string(pid);
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return sys_error(errno == ENOENT ? ESRCH : errno, "open", path);
    return UniqueFd(fd);
  }

  bool pinned_alive(int pin) override {
    // /proc/PID/stat is looked up through the task the directory was opened for.
    return ::faccessat(pin, "stat", F_OK, 0) == 0;
  }

  Status kill_pid(pid_t pid, int sig) override {
    if (::kill(pid, sig) < 0) return sys_error(errno, "kill", "/proc/" + std::to_string(pid));
    return {};
  }

  Result<int> poll(std::span<pollfd> fds, Clock::duration timeout) override {
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(timeout).count();
    if (ms < 0) ms = 0;
    int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(ms, 1 << 30)));
    if (n < 0) {
      if (errno == EINTR) return 0;
      return sys_error(errno, "poll");
    }
    return n;
  }

  Clock::time_point now() override { return Clock::now(); }

 private:
  struct LockDir {
    UniqueFd fd;
    std::string path;
  };

  // The caller's own lock directory, found and checked once per process.
  Result<const LockDir*> lock_dir() {
    if (!m_lock_dir) {
      auto found = open_lock_dir();
      if (!found) return found.error();
      m_lock_dir = std::make_unique<LockDir>(std::move(*found));
    }
    return static_cast<const LockDir*>(m_lock_dir.get());
  }

  Result<LockDir> open_lock_dir() {
    Error last = text_error("no place for job locks");
    for (const auto& path : lock_dir_candidates(::geteuid())) {
      auto fd = open_private_dir(path, ::geteuid());
      if (fd) return LockDir{std::move(*fd), path};
      last = fd.error();
      // A directory we may not make (no /run, a read-only one): try the next
      // place. One that exists but is not ours is an error, not a fallback.
      if (last.errnum != ENOENT && last.errnum != EACCES && last.errnum != EROFS) return last;
    }
    last.detail = "no place for job locks (" + last.reason() +
                  "): set XDG_RUNTIME_DIR or CGJOB_LOCK_DIR to a directory only you may write";
    return last;
  }

  static Result<bool> try_flock(int fd, const std::string& path) {
    while (::flock(fd, LOCK_EX | LOCK_NB) < 0) {
      if (errno == EWOULDBLOCK) return false;
      if (errno != EINTR) return sys_error(errno, "flock", path);
    }
    return true;
  }

  // A lock taken on a file that was unlinked meanwhile (its job removed)
  // excludes nobody: ESTALE tells the caller to open the name anew.
  static Result<bool> checked(Result<bool> taken, int fd, const LockDir& dir, std::string_view name) {
    if (!taken || !*taken) return taken;
    struct stat held {}, named {};
    std::string n(name);
    if (::fstat(fd, &held) < 0 || ::fstatat(dir.fd.get(), n.c_str(), &named, AT_SYMLINK_NOFOLLOW) < 0 ||
        held.st_ino != named.st_ino || held.st_dev != named.st_dev) {
      (void)::flock(fd, LOCK_UN);
      return sys_error(ESTALE, "lock", join_path(dir.path, name));
    }
    return true;
  }

  std::unique_ptr<LockDir> m_lock_dir;
  std::unique_ptr<LockDir> m_read_lock_dir;  ///< read_lock()'s, where no lock was taken yet
};

}  // namespace

SysIo& real_sys_io() {
  static RealSysIo io;
  return io;
}

std::string join_path(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

}  // namespace cgjob
