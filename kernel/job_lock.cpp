#include "kernel/job_lock.h"

#include <cstdint>
#include <cstdio>

#include "kernel/text.h"

namespace cgjob {
namespace {

// A missed inotify event costs at most this much of a lock wait.
constexpr auto k_lock_recheck = std::chrono::milliseconds(100);

}  // namespace

// One file per job, named after its path: the lock directory holds no
// subdirectories, and a path can be longer than a file name may be.
std::string lock_file_name(std::string_view path) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (unsigned char c : path) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.lock", static_cast<unsigned long long>(hash));
  return name;
}

namespace {

// The lock file reads "holder PID\nrequest TOKEN\npath PATH\n".
std::string field(std::string_view content, std::string_view key) {
  for (auto line : split(content, '\n')) {
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ') {
      return std::string(line.substr(key.size() + 1));
    }
  }
  return {};
}

Error held_error(SysIo& io, int fd, const Cgroup& cg, bool our_bound) {
  auto content = io.reread(fd, cg.path());
  std::string holder = content ? field(*content, "holder") : std::string();
  std::string who = "another run" + (holder.empty() ? std::string() : " (pid " + holder + ")");
  if (our_bound) {
    return text_error(who + " has held the job's lock for " + std::to_string(k_lock_bound.count()) +
                          " s; try again, or wait longer with --timeout",
                      cg.path(), EWOULDBLOCK);
  }
  return text_error("timed out waiting for " + who + " that holds the job's lock", cg.path(), ETIMEDOUT);
}

}  // namespace

const std::string& this_run_token(SysIo& io) {
  static const std::string token =
      std::to_string(io.self_pid()) + "@" + std::to_string(io.now().time_since_epoch().count());
  return token;
}

Result<JobLock> JobLock::acquire(const Cgroup& cg, Deadline deadline) {
  SysIo& io = cg.io();
  const bool our_bound = deadline.is_never();
  const Deadline until = our_bound ? Deadline::after(io, k_lock_bound) : deadline;
  const std::string name = lock_file_name(cg.path());
  for (;;) {
    auto fd = io.open_lock(name);
    if (!fd) return fd.error();
    for (;;) {
      auto taken = io.lock_file(fd->get(), name, until.remaining(io, k_lock_recheck));
      if (!taken && taken.error().errnum == ESTALE) break;  // removed with its job: open anew
      if (!taken) return taken.error();
      if (*taken) {
        JobLock lock(io, name, cg.path(), std::move(*fd));
        (void)io.rewrite_lock(lock.m_fd.get(), name,
                              "holder " + std::to_string(io.self_pid()) + "\nrequest " + lock.last_request() +
                                  "\npath " + lock.m_path + "\n");
        return lock;
      }
      if (until.expired(io)) return held_error(io, fd->get(), cg, our_bound);
    }
  }
}

Result<std::optional<JobLock>> JobLock::try_acquire(const Cgroup& cg) {
  SysIo& io = cg.io();
  const std::string name = lock_file_name(cg.path());
  auto fd = io.open_lock(name);
  if (!fd) return fd.error();
  auto taken = io.lock_file(fd->get(), name, Clock::duration::zero());
  if (!taken && taken.error().errnum == ESTALE) return std::optional<JobLock>();
  if (!taken) return taken.error();
  if (!*taken) return std::optional<JobLock>();
  return std::optional<JobLock>(JobLock(io, name, cg.path(), std::move(*fd)));
}

std::string JobLock::last_request() const {
  auto content = m_io->reread(m_fd.get(), m_path);
  return content ? field(*content, "request") : std::string();
}

Status JobLock::record_request() {
  return m_io->rewrite_lock(m_fd.get(), m_name,
                            "holder " + std::to_string(m_io->self_pid()) + "\nrequest " + this_run_token(*m_io) +
                                "\npath " + m_path + "\n");
}

bool JobLock::last_request_is_ours() const { return last_request() == this_run_token(*m_io); }

void JobLock::discard(SysIo& io, std::string_view path) {
  const std::string name = lock_file_name(path);
  auto fd = io.open_lock(name);
  if (!fd) return;
  auto taken = io.lock_file(fd->get(), name, Clock::duration::zero());
  if (taken && *taken) (void)io.remove_lock(name);
}

}  // namespace cgjob
