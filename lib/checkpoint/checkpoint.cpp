#include "lib/checkpoint/checkpoint.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "lib/signal/defer_interrupts.h"
#include "lib/freezer/job_hold.h"
#include "lib/freezer/job_lock.h"
#include "lib/io/task_info.h"

namespace cgjob {
namespace {

constexpr const char* k_env_job = "CGJOB_RESTORE_JOB";
constexpr const char* k_env_dir = "CGJOB_RESTORE_DIR";

// Putting a job's freeze state back, whatever --timeout said (and however
// the dump ended), is given this long; undoing a failed restore, this long.
constexpr auto k_put_back_bound = std::chrono::seconds(10);
constexpr auto k_undo_bound = std::chrono::seconds(5);

std::string pid_list(const std::vector<pid_t>& pids, std::size_t limit = 20) {
  std::string out;
  for (std::size_t i = 0; i < pids.size() && i < limit; ++i) out += (i ? " " : "") + std::to_string(pids[i]);
  if (pids.size() > limit) out += " ... (" + std::to_string(pids.size()) + " in all)";
  return out;
}

std::string kernel_release() {
  struct utsname u {};
  return ::uname(&u) == 0 ? u.release : "";
}

// Removes what checkpoint wrote: DIR itself when it made it, else its contents.
void remove_dir(const std::string& dir, bool made) {
  std::error_code ec;
  if (made) {
    std::filesystem::remove_all(dir, ec);
    return;
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) std::filesystem::remove_all(entry.path(), ec);
}

Status write_file(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return sys_error(errno, "open", tmp);
  std::size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return sys_error(e, "write", tmp);
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return sys_error(errno, "write", tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return sys_error(errno, "rename", path);
  return {};
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// SIGKILL by pidfd (a recycled PID is never hit) to every process left in
// the cgroups of a failed restore.
void kill_all(SysIo& io, const std::vector<Cgroup>& cgroups) {
  for (const auto& cg : cgroups) {
    auto procs = cg.procs();
    if (!procs) continue;
    for (pid_t pid : *procs) {
      auto fd = io.pidfd_open(pid);
      if (fd) (void)io.send_signal(fd->get(), SIGKILL);
    }
  }
}

}  // namespace

bool safe_for_shell(std::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  return std::all_of(path.begin(), path.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '.' ||
           c == '_' || c == '-' || c == '+';
  });
}

Result<JobTree> inspect_job_tree(const Cgroup& job) {
  SysIo& io = job.io();
  auto subtree = open_subtree(job);
  if (!subtree) return subtree.error();
  JobTree tree;
  const std::string& top = job.path();
  for (const auto& cg : *subtree) {
    auto procs = cg.procs();
    if (!procs) return procs.error();
    ManifestJob entry;
    entry.relative = cg.path() == top ? "" : cg.path().substr(top.size() + 1);
    entry.pids = *procs;
    std::sort(entry.pids.begin(), entry.pids.end());
    tree.pids.insert(tree.pids.end(), entry.pids.begin(), entry.pids.end());
    tree.cgroups.push_back(std::move(entry));
  }
  if (tree.pids.empty()) return text_error("the job is empty: nothing to checkpoint");
  std::map<pid_t, pid_t> parent;
  std::vector<pid_t> stopped;
  std::set<pid_t> exited;
  for (pid_t pid : tree.pids) {
    auto info = read_task_stat(io, pid);
    // Why: a stopped task frozen by the v1 freezer (Linux 6.1) shows as D,
    // not T; only its wait channel still says it is stopped (is_stopped),
    // and CRIU 3.17 hangs seizing it. Read where a letter may hide a stop.
    if (info && info->state != 'S' && info->state != 'T' && info->state != 't' && info->state != 'Z') {
      read_task_wchan(io, *info);
    }
    if (!info) {
      // A job that runs (the look before the freeze) loses short-lived
      // processes between the two reads: they are no part of it any more.
      if (info.error().errnum == ENOENT || info.error().errnum == ESRCH) {
        exited.insert(pid);
        continue;
      }
      return info.error();
    }
    parent[pid] = info->ppid;
    if (is_stopped(*info)) stopped.push_back(pid);
  }
  if (!exited.empty()) {
    auto gone = [&](pid_t pid) { return exited.count(pid) > 0; };
    std::erase_if(tree.pids, gone);
    for (auto& entry : tree.cgroups) std::erase_if(entry.pids, gone);
    if (tree.pids.empty()) return text_error("the job is empty: nothing to checkpoint");
  }
  std::set<pid_t> members(tree.pids.begin(), tree.pids.end());
  if (!stopped.empty()) {
    return text_error("cannot checkpoint a stopped or traced task (CRIU would hang seizing it): PID " +
                      pid_list(stopped));
  }
  // Each PID's tree root: its highest ancestor within the job.
  std::map<pid_t, std::vector<pid_t>> trees;
  for (pid_t pid : tree.pids) {
    pid_t top_pid = pid;
    for (std::size_t hops = 0; members.count(parent[top_pid]) && hops < members.size(); ++hops) {
      top_pid = parent[top_pid];
    }
    trees[top_pid].push_back(pid);
  }
  if (trees.size() > 1) {
    std::string text = "the job is " + std::to_string(trees.size()) +
                       " process trees, CRIU saves one (run the job under one parent):";
    for (const auto& [root, pids] : trees) text += " [root " + std::to_string(root) + ": " + pid_list(pids) + "]";
    return text_error(text);
  }
  tree.root = trees.begin()->first;
  return tree;
}

Result<CheckpointReport> checkpoint_job(Freezer& freezer, const Cgroup& job, const CheckpointRequest& request,
                                        const CriuSupport& criu) {
  SysIo& io = job.io();
  // Why: CRIU 3.17 locks TCP connections with iptables unless told
  // otherwise, and Debian's criu does not depend on iptables (it is built
  // with libnftables): without iptables-restore, a job with a TCP
  // connection cannot be dumped ("Iptables configuration failed"). The
  // restore takes the dump's method from the images. Asked before the
  // freeze, which it would lengthen.
  const NetworkLock network_lock = probe_network_lock(criu.criu);
  DeferInterrupts defer;
  auto stop = [&] { return defer.interrupted() || defer.stop_requested(); };
  auto hold = JobHold::take(freezer, job, false, request.deadline);
  if (!hold) return hold.error();
  auto self = freezer.self_freezing(job);
  if (!self) return self.error();
  auto status = freezer.status(job);
  if (!status) return status.error();
  const bool was_frozen = status->state == FreezeState::frozen;
  const bool was_self_frozen = *self;

  CheckpointReport report;
  // DIR: made here, or an existing empty one (its contents go on failure).
  bool made = ::mkdir(request.dir.c_str(), 0700) == 0;
  if (!made && errno != EEXIST) return sys_error(errno, "mkdir", request.dir);
  // Sub-jobs frozen by their own request, thawed for the dump (under their
  // locks, recorded as holds) and frozen again after it.
  std::vector<std::pair<JobLock, Cgroup>> thawed_subjobs;
  auto refreeze_subjobs = [&]() -> Status {
    Status first;
    for (auto& [lock, cg] : thawed_subjobs) {
      auto done = request_with_retry(freezer, lock, cg, true, Deadline::after(io, k_put_back_bound));
      if (done) done = lock.clear_hold();
      if (first.ok() && !done.ok()) first = done;
    }
    thawed_subjobs.clear();
    return first;
  };
  auto fail = [&](Error e) -> Result<CheckpointReport> {
    remove_dir(request.dir, made);
    if (auto again = refreeze_subjobs(); !again) e.detail = e.reason() + "; and " + again.error().message();
    auto back = hold->put_back(Deadline::after(io, k_put_back_bound), {}, Clock::duration::zero());
    if (!back) e.detail = e.reason() + "; and " + back.error().message();
    return e;
  };

  const auto frozen_at = Clock::now();
  if (auto frozen = hold->freeze(request.deadline); !frozen) return fail(frozen.error());
  if (!hold->wait_frozen(request.deadline, stop)) {
    if (stop()) return fail(sys_error(EINTR, "checkpoint", job.path()));
    return fail(text_error("the job did not freeze in time", job.path(), ETIMEDOUT));
  }
  // Frozen, nothing forks: this is the tree CRIU will see.
  auto tree = inspect_job_tree(job);
  if (!tree) return fail(tree.error());

  // Why: CRIU thaws the job while it seizes the tasks (--freeze-cgroup), but
  // a sub-job frozen by its own request stays frozen, and seizing its tasks
  // then never ends (CRIU 3.17, 6.1, v1 and v2). Such sub-jobs are thawed
  // now, while the job's own freeze still holds them, and frozen again after.
  std::map<std::string, bool> sub_frozen;
  for (const auto& entry : tree->cgroups) {
    if (entry.relative.empty()) continue;
    auto sub = Cgroup::open(io, job.path() + "/" + entry.relative);
    if (!sub) return fail(sub.error());
    auto self_sub = freezer.self_freezing(*sub);
    if (!self_sub) return fail(self_sub.error());
    sub_frozen[entry.relative] = *self_sub;
    if (!*self_sub) continue;
    auto lock = JobLock::acquire(freezer, *sub, request.deadline);
    if (!lock) return fail(lock.error());
    if (auto rec = lock->record_hold(true); !rec) return fail(rec.error());
    thawed_subjobs.emplace_back(std::move(*lock), std::move(*sub));
    if (auto thawed = request_with_retry(freezer, thawed_subjobs.back().first, thawed_subjobs.back().second, false,
                                         request.deadline);
        !thawed) {
      return fail(thawed.error());
    }
  }

  Manifest& m = report.manifest;
  m.name = request.name;
  m.hierarchy = std::string(to_string(freezer.traits().kind));
  m.path = job.path();
  m.state = was_frozen ? "FROZEN" : "THAWED";
  m.root_pid = tree->root;
  m.kernel = kernel_release();
  m.criu_version = criu.version;
  m.jobs = tree->cgroups;
  for (auto& entry : m.jobs) entry.self_freezing = entry.relative.empty() ? was_self_frozen : sub_frozen[entry.relative];
  if (auto written = write_file(request.dir + "/" + std::string(k_manifest_file), render_manifest(m)); !written) {
    return fail(written.error());
  }

  // --leave killed: CRIU kills the tasks once the dump is complete (its
  // default); otherwise they stay (-R), in our freeze, which CRIU puts back.
  std::vector<std::string> args{"dump", "--tree", std::to_string(tree->root), "--images-dir", request.dir,
                                "--log-file", "dump.log", "-v2", "--freeze-cgroup", job.path(),
                                "--tcp-established", "--file-locks"};
  if (network_lock == NetworkLock::nftables) args.insert(args.end(), {"--network-lock", "nftables"});
  if (request.leave != LeaveAs::killed) args.emplace_back("--leave-running");
  auto ran = run_criu(criu.criu, args, {}, &io, request.deadline);
  if (!ran) return fail(ran.error());
  if (ran->status != 0) {
    std::string why = criu_error_line(read_text(request.dir + "/dump.log"));
    if (why.empty()) why = criu_error_line(ran->output);
    return fail(text_error("criu dump failed (exit " + std::to_string(ran->status) + ")" +
                           (why.empty() ? std::string() : ": " + why)));
  }
  if (request.leave != LeaveAs::killed && defer.interrupted()) {
    return fail(sys_error(EINTR, "checkpoint", job.path()));
  }
  if (auto again = refreeze_subjobs(); !again) return fail(again.error());

  if (request.leave == LeaveAs::killed) {
    // The processes are gone; the job's own request goes back as it was
    // (written again: CRIU thaws a v2 cgroup to let the killed tasks die).
    auto back = was_self_frozen ? hold->keep(true, Deadline::after(io, k_put_back_bound))
                                : hold->put_back(Deadline::after(io, k_put_back_bound), {},
                                                 Clock::duration::zero());
    if (!back) return back.error();
    report.left_frozen = was_self_frozen;
    report.frozen_for = Clock::now() - frozen_at;
    return report;
  }
  const bool keep_frozen = request.leave == LeaveAs::frozen || (request.leave == LeaveAs::as_was && was_frozen);
  Status done;
  if (keep_frozen == was_self_frozen) {
    done = hold->put_back(Deadline::after(io, k_put_back_bound), {}, Clock::duration::zero());
  } else {
    done = hold->keep(keep_frozen, Deadline::after(io, k_put_back_bound));
  }
  if (!done) return done.error();
  report.left_frozen = keep_frozen;
  if (!keep_frozen) report.frozen_for = Clock::now() - frozen_at;
  return report;
}

Result<Manifest> read_manifest(const std::string& dir) {
  std::string path = dir + "/" + std::string(k_manifest_file);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    return input_error(e == ENOENT ? "no manifest: not a checkpoint directory" : std::string(std::strerror(e)), path);
  }
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > (16 << 20)) break;
  }
  ::close(fd);
  auto m = parse_manifest(text);
  if (!m) {
    Error e = m.error();
    e.path = path;
    return e;
  }
  return m;
}

std::vector<pid_t> taken_pids(const Manifest& manifest) {
  std::vector<pid_t> taken;
  for (const auto& job : manifest.jobs) {
    for (pid_t pid : job.pids) {
      if (::kill(pid, 0) == 0 || errno == EPERM) taken.push_back(pid);
    }
  }
  return taken;
}

Result<RestoreReport> restore_job(Freezer& freezer, SysIo& io, const std::string& job_path, const Manifest& manifest,
                                  const RestoreRequest& request, const CriuSupport& criu) {
  DeferInterrupts defer;
  if (!safe_for_shell(request.hook)) {
    return text_error("cannot restore: CRIU runs its action script through sh -c, and the path of this tool (" +
                      request.hook + ") holds characters a shell reads");
  }
  if (auto taken = taken_pids(manifest); !taken.empty()) {
    return text_error("cannot restore: the saved PIDs are in use (is the saved job still running?): PID " +
                      pid_list(taken));
  }
  // The job: an existing one must be empty; made otherwise.
  std::vector<std::string> made;  // cgroup paths made here, parents first
  bool existed = false;
  {
    auto existing = Cgroup::open(io, job_path);
    if (existing) {
      existed = true;
      auto subtree = open_subtree(*existing);
      if (!subtree) return subtree.error();
      auto procs = subtree_procs(*subtree);
      if (!procs) return procs.error();
      if (!procs->empty()) {
        return text_error("cannot restore into a job that has processes (" + std::to_string(procs->size()) + ")",
                          job_path);
      }
    } else if (existing.error().errnum != ENOENT) {
      return existing.error();
    }
  }
  std::vector<Cgroup> cgroups;
  std::optional<JobLock> lock;
  std::vector<std::pair<JobLock, std::size_t>> sub_locks;  // the sub-jobs frozen here
  bool was_self_frozen = false;
  const bool frozen = request.frozen.value_or(manifest.saved_frozen());
  auto undo = [&](Error e) -> Result<RestoreReport> {
    // CRIU kills what it restored on failure; anything left (a task moved
    // into a frozen v1 cgroup dies only once thawed) is thawed and killed.
    if (lock) (void)request_with_retry(freezer, *lock, cgroups[0], false, Deadline::after(io, k_undo_bound));
    for (std::size_t i = 0; i < sub_locks.size(); ++i) {
      (void)request_with_retry(freezer, sub_locks[i].first, cgroups[sub_locks[i].second], false,
                               Deadline::after(io, k_undo_bound));
    }
    kill_all(io, cgroups);
    for (auto it = made.rbegin(); it != made.rend(); ++it) {
      auto cg = Cgroup::open(io, *it);
      if (cg) (void)remove_subtree(*cg, Deadline::after(io, k_undo_bound));
    }
    if (existed && lock && !cgroups.empty()) {
      (void)request_with_retry(freezer, *lock, cgroups[0], was_self_frozen, Deadline::after(io, k_undo_bound));
    }
    return e;
  };
  for (const auto& entry : manifest.jobs) {
    std::string path = entry.relative.empty() ? job_path : job_path + "/" + entry.relative;
    auto cg = Cgroup::open(io, path);
    if (!cg && cg.error().errnum == ENOENT) {
      // Made below its nearest existing ancestor; the topmost directory
      // made is what a failure removes.
      std::string base = path.substr(0, path.rfind('/'));
      while (base.size() > 1 && ::access(base.c_str(), F_OK) != 0) base = base.substr(0, base.rfind('/'));
      std::string top = path.substr(0, path.find('/', base.size() + 1));
      cg = Cgroup::create(io, base, path.substr(base.size() + 1));
      if (cg) made.push_back(top);
    }
    if (!cg) return undo(cg.error());
    cgroups.push_back(std::move(*cg));
  }
  // Freeze states first, under the job's lock: each restored process meets
  // its cgroup's state before it runs an instruction.
  auto taken = JobLock::acquire(freezer, cgroups[0], request.deadline);
  if (!taken) return undo(taken.error());
  lock.emplace(std::move(*taken));
  if (auto self = freezer.self_freezing(cgroups[0])) was_self_frozen = *self;
  if (frozen != was_self_frozen) {
    if (auto w = request_with_retry(freezer, *lock, cgroups[0], frozen, request.deadline); !w) return undo(w.error());
    (void)lock->record_request();
  }
  for (std::size_t i = 1; i < cgroups.size(); ++i) {
    if (!manifest.jobs[i].self_freezing) continue;
    auto sub_lock = JobLock::acquire(freezer, cgroups[i], request.deadline);
    if (!sub_lock) return undo(sub_lock.error());
    sub_locks.emplace_back(std::move(*sub_lock), i);
    if (auto w = request_with_retry(freezer, sub_locks.back().first, cgroups[i], true, request.deadline); !w) {
      return undo(w.error());
    }
    (void)sub_locks.back().first.record_request();
  }

  char log_template[] = "/tmp/cgjob-restore.XXXXXX";
  if (::mkdtemp(log_template) == nullptr) return undo(sys_error(errno, "mkdtemp", "/tmp"));
  std::string log_dir = log_template;
  std::vector<std::string> args{"restore", "--images-dir", request.dir, "--log-file", log_dir + "/restore.log", "-v2",
                                "--restore-detached", "--restore-sibling", "--manage-cgroups=ignore",
                                "--tcp-established", "--file-locks", "--action-script", request.hook};
  auto ran = run_criu(criu.criu, args,
                      {std::string(k_env_job) + "=" + job_path, std::string(k_env_dir) + "=" + request.dir}, &io,
                      request.deadline);
  std::string log = read_text(log_dir + "/restore.log");
  std::error_code ec;
  std::filesystem::remove_all(log_dir, ec);
  if (!ran) return undo(ran.error());
  if (ran->status != 0) {
    std::string why = criu_error_line(log);
    if (why.empty()) why = criu_error_line(ran->output);
    return undo(text_error("criu restore failed (exit " + std::to_string(ran->status) + ")" +
                           (why.empty() ? std::string() : ": " + why)));
  }
  RestoreReport report;
  report.root = manifest.root_pid;
  report.frozen = frozen;
  for (const auto& entry : manifest.jobs) report.processes += entry.pids.size();
  return report;
}

bool is_restore_action() {
  return std::getenv("CRTOOLS_SCRIPT_ACTION") != nullptr && std::getenv(k_env_job) != nullptr &&
         std::getenv(k_env_dir) != nullptr;
}

int run_restore_action(SysIo& io) {
  std::string_view action = std::getenv("CRTOOLS_SCRIPT_ACTION");
  if (action != "pre-resume") return 0;
  std::string job_path = std::getenv(k_env_job);
  auto manifest = read_manifest(std::getenv(k_env_dir));
  if (!manifest) return 1;
  for (const auto& entry : manifest->jobs) {
    auto cg = Cgroup::open(io, entry.relative.empty() ? job_path : job_path + "/" + entry.relative);
    if (!cg) return 1;
    for (pid_t pid : entry.pids) {
      if (!cg->move(pid)) return 1;
    }
  }
  return 0;
}

}  // namespace cgjob
