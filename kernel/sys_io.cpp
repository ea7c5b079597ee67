#include "kernel/sys_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cerrno>

#include "kernel/uapi.h"

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

  Result<UniqueFd> lock_dir(DirRef dir) override {
    UniqueFd fd(::openat(dir.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return sys_error(errno, "open", std::string(dir.path));
    while (::flock(fd.get(), LOCK_EX) < 0) {
      if (errno != EINTR) return sys_error(errno, "flock", std::string(dir.path));
    }
    return fd;
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
