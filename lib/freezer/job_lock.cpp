#include "lib/freezer/job_lock.h"

#include <cstdint>
#include <cstdio>

#include "lib/freezer/freezer.h"
#include "lib/io/task_info.h"
#include "lib/parse/keyed_file.h"
#include "lib/base/text.h"

namespace cgjob {
namespace {

// A missed inotify event costs at most this much of a lock wait.
constexpr auto k_lock_recheck = std::chrono::milliseconds(100);

// How long putting back a dead run's hold may retry EBUSY (old v1 kernels)
// when the caller set no deadline.
constexpr auto k_put_back_bound = std::chrono::seconds(10);

// The lock file reads "key value" lines:
//   holder PID        the run that holds (or last held) the lock
//   request TOKEN     the run that made the job's last freeze or thaw request
//   hold TOKEN        a run that holds the job in a state nobody asked for
//   restore frozen|thawed   the state that hold puts back
//   path PATH         the job, for people reading the file
// A missing key (keyed_value's error) is an empty value here: the file is
// ours alone, and an old or empty one says "no request recorded, no hold".
std::string field(std::string_view content, std::string_view key) {
  auto value = keyed_value(content, key);
  return value ? std::string(*value) : std::string();
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

// "PID@START" -> PID and START (the process's start time in clock ticks
// since boot, /proc/PID/stat field 22).
bool parse_token(std::string_view token, pid_t& pid, unsigned long long& start) {
  auto at = token.find('@');
  if (at == std::string_view::npos) return false;
  auto p = parse_decimal(token.substr(0, at));
  auto s = parse_decimal(token.substr(at + 1));
  if (!p || !s || *p <= 0) return false;
  pid = static_cast<pid_t>(*p);
  start = *s;
  return true;
}

bool token_alive(SysIo& io, std::string_view token) {
  pid_t pid = 0;
  unsigned long long start = 0;
  if (!parse_token(token, pid, start)) return false;
  auto info = read_task_stat(io, pid);
  return info && info->start_time == start;
}

}  // namespace

Result<std::string> lock_key(const Cgroup& cg) { return cg.io().identity(cg.dir()); }

// One file per job, named after its identity: the lock directory holds no
// subdirectories.
std::string lock_file_name(std::string_view key) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (unsigned char c : key) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.lock", static_cast<unsigned long long>(hash));
  return name;
}

const std::string& this_run_token(SysIo& io) {
  static const std::string token = [&io] {
    pid_t pid = io.self_pid();
    auto self = read_task_stat(io, pid);
    // Without /proc (a fake), the time we first asked stands in for the start.
    unsigned long long start = self ? self->start_time
                                    : static_cast<unsigned long long>(io.now().time_since_epoch().count());
    return std::to_string(pid) + "@" + std::to_string(start);
  }();
  return token;
}

Result<JobLock> JobLock::acquire(Freezer& freezer, const Cgroup& cg, Deadline deadline) {
  SysIo& io = cg.io();
  const bool our_bound = deadline.is_never();
  const Deadline until = our_bound ? Deadline::after(io, k_lock_bound) : deadline;
  auto key = lock_key(cg);
  if (!key) return key.error();
  const std::string name = lock_file_name(*key);
  for (;;) {
    auto fd = io.open_lock(name);
    if (!fd) return fd.error();
    for (;;) {
      auto taken = io.lock_file(fd->get(), name, until.remaining(io, k_lock_recheck));
      if (!taken && taken.error().errnum == ESTALE) break;  // removed with its job: open anew
      if (!taken) return taken.error();
      if (*taken) {
        JobLock lock(io, name, cg.path(), std::move(*fd));
        auto put_back = lock.put_back_dead_hold(freezer, cg, our_bound ? Deadline::after(io, k_put_back_bound) : deadline);
        if (!put_back) return put_back.error();
        return lock;
      }
      if (until.expired(io)) return held_error(io, fd->get(), cg, our_bound);
    }
  }
}

Result<std::optional<JobLock>> JobLock::try_acquire(Freezer& freezer, const Cgroup& cg) {
  SysIo& io = cg.io();
  auto key = lock_key(cg);
  if (!key) return key.error();
  const std::string name = lock_file_name(*key);
  auto fd = io.open_lock(name);
  if (!fd) return fd.error();
  auto taken = io.lock_file(fd->get(), name, Clock::duration::zero());
  if (!taken && taken.error().errnum == ESTALE) return std::optional<JobLock>();
  if (!taken) return taken.error();
  if (!*taken) return std::optional<JobLock>();
  JobLock lock(io, name, cg.path(), std::move(*fd));
  auto put_back = lock.put_back_dead_hold(freezer, cg, Deadline::after(io, k_put_back_bound));
  if (!put_back) return put_back.error();
  return std::optional<JobLock>(std::move(lock));
}

Status JobLock::rewrite(std::string_view hold, std::string_view restore) {
  std::string text = "holder " + std::to_string(m_io->self_pid()) + "\n";
  if (!m_request.empty()) text += "request " + m_request + "\n";
  if (!hold.empty()) text += "hold " + std::string(hold) + "\nrestore " + std::string(restore) + "\n";
  text += "path " + m_path + "\n";
  return m_io->rewrite_lock(m_fd.get(), m_name, text);
}

// Whoever held the lock before us released it, so a hold still recorded is
// a dead run's (a live one clears its hold before it lets go, also when it
// stops: lib/signal/defer_interrupts.h). Its state goes back first: no job stays
// frozen because a tool died.
Status JobLock::put_back_dead_hold(Freezer& freezer, const Cgroup& cg, Deadline deadline) {
  auto content = m_io->reread(m_fd.get(), m_path);
  const std::string text = content ? *content : std::string();
  const std::string hold = field(text, "hold");
  // Read once here: while we hold the lock, nobody else writes the file.
  m_request = field(text, "request");
  if (!hold.empty() && hold != this_run_token(*m_io)) {
    const bool frozen = field(text, "restore") == "frozen";
    auto back = request_with_retry(freezer, *this, cg, frozen, deadline);
    if (!back && !is_gone(back.error())) {
      Error e = back.error();
      e.detail = "cannot put back the state a dead run (" + hold + ") held the job in: " + e.reason();
      return e;
    }
  }
  return rewrite("", "");
}

Status JobLock::record_request() {
  m_request = this_run_token(*m_io);
  return rewrite("", "");
}

bool JobLock::last_request_is_ours() const { return m_request == this_run_token(*m_io); }

Status JobLock::record_hold(bool restore_frozen) {
  return rewrite(this_run_token(*m_io), restore_frozen ? "frozen" : "thawed");
}

Status JobLock::clear_hold() { return rewrite("", ""); }

void JobLock::discard(SysIo& io, std::string_view key) {
  const std::string name = lock_file_name(key);
  auto fd = io.open_lock(name);
  if (!fd) return;
  auto taken = io.lock_file(fd->get(), name, Clock::duration::zero());
  if (taken && *taken) (void)io.remove_lock(name);
}

std::optional<HoldRecord> read_hold(SysIo& io, DirRef dir) {
  auto key = io.identity(dir);
  if (!key) return std::nullopt;
  auto text = io.read_lock(lock_file_name(*key));
  if (!text) return std::nullopt;
  std::string hold = field(*text, "hold");
  HoldRecord record;
  unsigned long long start = 0;
  if (hold.empty() || !parse_token(hold, record.owner, start)) return std::nullopt;
  record.alive = token_alive(io, hold);
  record.restore_frozen = field(*text, "restore") == "frozen";
  return record;
}

}  // namespace cgjob
