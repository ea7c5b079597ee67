#include "tests/support/fake_sys_io.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "lib/cgroup/cgroup.h"
#include "lib/freezer/job_lock.h"

namespace cgjob::testing {
namespace {

std::string resolve(DirRef at, std::string_view name) {
  if (!name.empty() && name.front() == '/') return std::string(name);
  if (name == ".") return std::string(at.path);
  return join_path(at.path, name);
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void FakeSysIo::add_dir(const std::string& path) {
  std::string p = path;
  while (!p.empty() && p != "/" && !m_nodes.count(p)) {
    m_nodes[p] = Node{true, {}};
    p = parent_of(p);
  }
}

void FakeSysIo::set_file(const std::string& path, std::string content) {
  add_dir(parent_of(path));
  m_nodes[path] = Node{false, std::move(content)};
}

std::string FakeSysIo::file(const std::string& path) const {
  auto it = m_nodes.find(path);
  return it == m_nodes.end() ? std::string() : it->second.content;
}

bool FakeSysIo::exists(const std::string& path) const { return m_nodes.count(path) > 0; }

void FakeSysIo::remove(const std::string& path) {
  for (auto it = m_nodes.begin(); it != m_nodes.end();) {
    if (it->first == path || it->first.starts_with(path + "/")) it = m_nodes.erase(it);
    else ++it;
  }
}

void FakeSysIo::add_v2_cgroup(const std::string& path, bool with_kill) {
  add_dir(path);
  set_file(path + "/cgroup.procs", "");
  set_file(path + "/cgroup.threads", "");
  set_file(path + "/cgroup.freeze", "0\n");
  set_file(path + "/cgroup.events", "populated 0\nfrozen 0\n");
  if (with_kill) set_file(path + "/cgroup.kill", "");
}

void FakeSysIo::add_v1_cgroup(const std::string& path) {
  add_dir(path);
  set_file(path + "/cgroup.procs", "");
  set_file(path + "/tasks", "");
  set_file(path + "/freezer.state", "THAWED\n");
  set_file(path + "/freezer.self_freezing", "0\n");
  set_file(path + "/freezer.parent_freezing", "0\n");
}

void FakeSysIo::fail(const std::string& op, const std::string& path, int errnum, int times) {
  auto& queue = m_failures[op + " " + path];
  for (int i = 0; i < times; ++i) queue.push_back(errnum);
}

void FakeSysIo::on_write(const std::string& path, WriteHook hook) { m_write_hooks[path].push_back(std::move(hook)); }
void FakeSysIo::on_read(const std::string& path, ReadHook hook) { m_read_hooks[path].push_back(std::move(hook)); }

int FakeSysIo::writes(const std::string& path) const {
  auto it = m_write_counts.find(path);
  return it == m_write_counts.end() ? 0 : it->second;
}

int FakeSysIo::reads(const std::string& path) const {
  auto it = m_read_counts.find(path);
  return it == m_read_counts.end() ? 0 : it->second;
}

void FakeSysIo::add_process(pid_t pid) { m_processes[pid] = Process{}; }

void FakeSysIo::exit_process(pid_t pid) { m_processes[pid].alive = false; }

void FakeSysIo::recycle_pid(pid_t pid) {
  auto& p = m_processes[pid];
  p.generation += 1;
  p.alive = true;
  p.signals.clear();
}

std::vector<int> FakeSysIo::signals_of(pid_t pid) const {
  auto it = m_processes.find(pid);
  return it == m_processes.end() ? std::vector<int>{} : it->second.signals;
}

bool FakeSysIo::take_failure(const std::string& op, const std::string& path, int& errnum) {
  m_calls.push_back(op + " " + path);
  auto it = m_failures.find(op + " " + path);
  if (it == m_failures.end() || it->second.empty()) return false;
  errnum = it->second.front();
  it->second.erase(it->second.begin());
  return errnum != 0;  // 0: this call passes (fail_later)
}

UniqueFd FakeSysIo::token_for(const std::string& path) {
  // A real fd, so UniqueFd can own and close it; only its number matters.
  int fd = ::eventfd(0, EFD_CLOEXEC);
  m_fd_paths[fd] = path;
  m_lock_fds.erase(fd);  // the number of a closed lock fd, reused
  return UniqueFd(fd);
}

Result<std::string> FakeSysIo::read_path(const std::string& path) {
  int errnum = 0;
  bool short_read = false;
  if (take_failure("read", path, errnum)) {
    if (errnum != k_short_read) return sys_error(errnum, "read", path);
    short_read = true;
  }
  if (auto hooks = m_read_hooks.find(path); hooks != m_read_hooks.end()) {
    auto copy = hooks->second;
    for (auto& hook : copy) hook(*this);
  }
  auto it = m_nodes.find(path);
  if (it == m_nodes.end()) return sys_error(ENOENT, "open", path);
  if (it->second.dir) return sys_error(EISDIR, "read", path);
  ++m_read_counts[path];
  if (short_read) return it->second.content.substr(0, it->second.content.size() / 2);
  return it->second.content;
}

Result<UniqueFd> FakeSysIo::open_dir(DirRef at, std::string_view name) {
  std::string path = resolve(at, name);
  int errnum = 0;
  if (take_failure("open", path, errnum)) return sys_error(errnum, "open", path);
  auto it = m_nodes.find(path);
  if (it == m_nodes.end()) return sys_error(ENOENT, "open", path);
  if (!it->second.dir) return sys_error(ENOTDIR, "open", path);
  return token_for(path);
}

Status FakeSysIo::make_dir(DirRef at, std::string_view name) {
  std::string path = resolve(at, name);
  int errnum = 0;
  if (take_failure("mkdir", path, errnum)) return sys_error(errnum, "mkdir", path);
  if (m_nodes.count(path)) return sys_error(EEXIST, "mkdir", path);
  if (!m_nodes.count(parent_of(path))) return sys_error(ENOENT, "mkdir", path);
  // Mirror the parent's kind of cgroup.
  if (exists(parent_of(path) + "/freezer.state") || exists(parent_of(path) + "/tasks")) add_v1_cgroup(path);
  else add_v2_cgroup(path, exists(parent_of(path) + "/cgroup.kill"));
  return {};
}

Status FakeSysIo::remove_dir(DirRef at, std::string_view name) {
  std::string path = resolve(at, name);
  int errnum = 0;
  if (take_failure("rmdir", path, errnum)) return sys_error(errnum, "rmdir", path);
  if (!m_nodes.count(path)) return sys_error(ENOENT, "rmdir", path);
  for (const auto& [p, node] : m_nodes) {
    if (node.dir && p.starts_with(path + "/")) return sys_error(EBUSY, "rmdir", path);
  }
  if (!parse_pid_list(file(path + "/cgroup.procs")).empty()) return sys_error(EBUSY, "rmdir", path);
  remove(path);
  return {};
}

Result<std::vector<std::string>> FakeSysIo::list_dirs(DirRef dir) {
  std::string path(dir.path);
  int errnum = 0;
  if (take_failure("list", path, errnum)) return sys_error(errnum, "read", path);
  if (!m_nodes.count(path)) return sys_error(ENOENT, "open", path);
  std::vector<std::string> names;
  for (const auto& [p, node] : m_nodes) {
    if (!node.dir || !p.starts_with(path + "/")) continue;
    auto rest = p.substr(path.size() + 1);
    if (rest.find('/') == std::string::npos) names.push_back(rest);
  }
  return names;
}

bool FakeSysIo::has_file(DirRef dir, std::string_view name) { return m_nodes.count(resolve(dir, name)) > 0; }

Result<std::string> FakeSysIo::read_file(DirRef dir, std::string_view name) { return read_path(resolve(dir, name)); }

Status FakeSysIo::write_file(DirRef dir, std::string_view name, std::string_view data) {
  return write_path(resolve(dir, name), data);
}

Result<UniqueFd> FakeSysIo::open_for_writing(DirRef dir, std::string_view name) {
  std::string path = resolve(dir, name);
  int errnum = 0;
  if (take_failure("open", path, errnum)) return sys_error(errnum, "open", path);
  if (!m_nodes.count(path)) return sys_error(ENOENT, "open", path);
  return token_for(path);
}

Status FakeSysIo::write_to(int fd, std::string_view path, std::string_view data) {
  auto it = m_fd_paths.find(fd);
  if (it == m_fd_paths.end()) return sys_error(EBADF, "write", std::string(path));
  return write_path(it->second, data);
}

Status FakeSysIo::write_path(const std::string& path, std::string_view data) {
  int errnum = 0;
  ++m_write_counts[path];
  m_write_log.push_back(path + "=" + std::string(data));
  if (take_failure("write", path, errnum)) return sys_error(errnum, "write", path);
  auto it = m_nodes.find(path);
  if (it == m_nodes.end()) return sys_error(ENOENT, "open", path);
  it->second.content = std::string(data);
  if (auto hooks = m_write_hooks.find(path); hooks != m_write_hooks.end()) {
    auto copy = hooks->second;
    for (auto& hook : copy) hook(*this, std::string(data));
  }
  return {};
}

Result<UniqueFd> FakeSysIo::open_file(DirRef dir, std::string_view name) {
  std::string path = resolve(dir, name);
  int errnum = 0;
  if (take_failure("open", path, errnum)) return sys_error(errnum, "open", path);
  if (!m_nodes.count(path)) return sys_error(ENOENT, "open", path);
  return token_for(path);
}

Result<std::string> FakeSysIo::reread(int fd, std::string_view path) {
  if (m_lock_fds.count(fd)) {
    char buf[4096];
    ssize_t n = ::pread(fd, buf, sizeof buf, 0);
    if (n < 0) return sys_error(errno, "read", std::string(path));
    return std::string(buf, static_cast<std::size_t>(n));
  }
  auto it = m_fd_paths.find(fd);
  if (it == m_fd_paths.end()) return sys_error(EBADF, "read", std::string(path));
  return read_path(it->second);
}

Result<long> FakeSysIo::fs_magic(std::string_view path) {
  long best = 0;
  std::size_t best_len = 0;
  bool found = false;
  for (const auto& [prefix, magic] : m_magic) {
    if (path.starts_with(prefix) && prefix.size() >= best_len) {
      best = magic;
      best_len = prefix.size();
      found = true;
    }
  }
  if (!found) return sys_error(ENOENT, "statfs", std::string(path));
  return best;
}

bool FakeSysIo::may_write(DirRef dir, std::string_view name) {
  std::string path = resolve(dir, name);
  if (!m_nodes.count(path)) return false;
  return m_euid == 0 || m_writable.count(path) > 0;
}

Result<UniqueFd> FakeSysIo::pidfd_open(pid_t pid) {
  if (m_hidden.count("pidfd_open")) return sys_error(ENOSYS, "pidfd_open");
  int errnum = 0;
  if (take_failure("pidfd_open", "/proc/" + std::to_string(pid), errnum)) {
    return sys_error(errnum, "pidfd_open", "/proc/" + std::to_string(pid));
  }
  auto it = m_processes.find(pid);
  if (it == m_processes.end() || !it->second.alive) {
    return sys_error(ESRCH, "pidfd_open", "/proc/" + std::to_string(pid));
  }
  int fd = ::eventfd(0, EFD_CLOEXEC);
  m_pidfds[fd] = PidfdTarget{pid, it->second.generation};
  m_pins.erase(fd);
  m_lock_fds.erase(fd);
  return UniqueFd(fd);
}

Status FakeSysIo::send_signal(int pidfd, int sig) {
  if (m_hidden.count("pidfd_send_signal")) return sys_error(ENOSYS, "pidfd_send_signal");
  auto t = m_pidfds.find(pidfd);
  if (t == m_pidfds.end()) return sys_error(EBADF, "pidfd_send_signal");
  auto p = m_processes.find(t->second.pid);
  if (p == m_processes.end() || !p->second.alive || p->second.generation != t->second.generation) {
    return sys_error(ESRCH, "pidfd_send_signal");
  }
  int errnum = 0;
  if (take_failure("signal", "/proc/" + std::to_string(t->second.pid), errnum)) {
    return sys_error(errnum, "pidfd_send_signal");
  }
  if (sig != 0) p->second.signals.push_back(sig);
  return {};
}

Status FakeSysIo::probe_clone3() {
  if (m_hidden.count("clone3")) return sys_error(ENOSYS, "clone3");
  return sys_error(m_clone_into_cgroup ? EINVAL : E2BIG, "clone3");
}

Result<UniqueFd> FakeSysIo::pin_task(pid_t pid) {
  auto it = m_processes.find(pid);
  if (it == m_processes.end() || !it->second.alive) return sys_error(ESRCH, "open", "/proc/" + std::to_string(pid));
  int fd = ::eventfd(0, EFD_CLOEXEC);
  m_pins[fd] = PidfdTarget{pid, it->second.generation};
  m_pidfds.erase(fd);
  m_lock_fds.erase(fd);
  return UniqueFd(fd);
}

bool FakeSysIo::pinned_alive(int pin) {
  auto t = m_pins.find(pin);
  if (t == m_pins.end()) return false;
  auto p = m_processes.find(t->second.pid);
  return p != m_processes.end() && p->second.alive && p->second.generation == t->second.generation;
}

Status FakeSysIo::kill_pid(pid_t pid, int sig) {
  for (auto& hook : m_kill_hooks) hook(*this, pid);
  auto p = m_processes.find(pid);
  if (p == m_processes.end() || !p->second.alive) return sys_error(ESRCH, "kill", "/proc/" + std::to_string(pid));
  int errnum = 0;
  if (take_failure("signal", "/proc/" + std::to_string(pid), errnum)) return sys_error(errnum, "kill");
  if (sig != 0) p->second.signals.push_back(sig);
  return {};
}

Result<int> FakeSysIo::poll(std::span<pollfd> fds, Clock::duration timeout) {
  // Nothing ever becomes ready by itself here: time just passes.
  for (auto& f : fds) f.revents = 0;
  m_now += timeout > Clock::duration::zero() ? timeout : std::chrono::microseconds(1);
  return 0;
}

// -- job locks ---------------------------------------------------------------

FakeSysIo::LockFile& FakeSysIo::lock_file_of(const std::string& name) {
  auto it = m_locks.find(name);
  if (it == m_locks.end()) {
    LockFile f;
    f.memfd.reset(::memfd_create("fake-lock", MFD_CLOEXEC));
    it = m_locks.emplace(name, std::move(f)).first;
  }
  return it->second;
}

// Opens the in-memory file anew: a new open file, as open(2) gives, so that
// flock(2) sees separate holders.
static UniqueFd reopen(int memfd) {
  std::string self = "/proc/self/fd/" + std::to_string(memfd);
  return UniqueFd(::open(self.c_str(), O_RDWR | O_CLOEXEC));
}

void FakeSysIo::expire_outside_holders() {
  for (auto& [name, f] : m_locks) {
    if (f.outside.valid() && m_now >= f.outside_until) f.outside.reset();
  }
}

void FakeSysIo::hold_lock(const std::string& job_path, pid_t holder, Clock::duration how_long) {
  LockFile& f = lock_file_of(lock_file_name(job_path));
  f.outside = reopen(f.memfd.get());
  ::flock(f.outside.get(), LOCK_EX | LOCK_NB);
  f.outside_until = how_long == Clock::duration::max() ? Clock::time_point::max() : m_now + how_long;
  std::string text = "holder " + std::to_string(holder) + "\n";
  (void)::ftruncate(f.outside.get(), 0);
  (void)::pwrite(f.outside.get(), text.data(), text.size(), 0);
}

std::string FakeSysIo::lock_content(const std::string& job_path) {
  auto fd = reopen(lock_file_of(lock_file_name(job_path)).memfd.get());
  char buf[4096];
  ssize_t n = ::pread(fd.get(), buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

void FakeSysIo::set_lock_content(const std::string& job_path, const std::string& text) {
  auto fd = reopen(lock_file_of(lock_file_name(job_path)).memfd.get());
  (void)::ftruncate(fd.get(), 0);
  (void)::pwrite(fd.get(), text.data(), text.size(), 0);
}

Result<UniqueFd> FakeSysIo::open_lock(std::string_view name) {
  std::string n(name);
  int errnum = 0;
  if (take_failure("open", "lock:" + n, errnum)) return sys_error(errnum, "open", n);
  auto fd = reopen(lock_file_of(n).memfd.get());
  if (!fd.valid()) return sys_error(errno, "open", n);
  m_lock_fds[fd.get()] = n;
  m_fd_paths.erase(fd.get());
  return fd;
}

Result<bool> FakeSysIo::lock_file(int fd, std::string_view name, Clock::duration wait) {
  std::string n(name);
  auto try_once = [&]() -> bool {
    expire_outside_holders();
    return ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  };
  bool taken = try_once();
  if (!taken) {
    ++m_lock_waits;
    m_now += wait > Clock::duration::zero() ? wait : std::chrono::microseconds(1);
    taken = try_once();
  }
  if (!taken) return false;
  // Removed while we waited: the caller must open the name anew.
  struct stat held {}, named {};
  auto it = m_locks.find(n);
  if (it == m_locks.end() || ::fstat(fd, &held) < 0 || ::fstat(it->second.memfd.get(), &named) < 0 ||
      held.st_ino != named.st_ino) {
    ::flock(fd, LOCK_UN);
    return sys_error(ESTALE, "lock", n);
  }
  return true;
}

Status FakeSysIo::rewrite_lock(int fd, std::string_view, std::string_view data) {
  (void)::ftruncate(fd, 0);
  if (::pwrite(fd, data.data(), data.size(), 0) < 0) return sys_error(errno, "write");
  return {};
}

Result<std::string> FakeSysIo::read_lock(std::string_view name) {
  auto it = m_locks.find(std::string(name));
  if (it == m_locks.end()) return sys_error(ENOENT, "open", std::string(name));
  auto fd = reopen(it->second.memfd.get());
  char buf[4096];
  ssize_t n = ::pread(fd.get(), buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

Status FakeSysIo::remove_lock(std::string_view name) {
  m_locks.erase(std::string(name));
  return {};
}

}  // namespace cgjob::testing
