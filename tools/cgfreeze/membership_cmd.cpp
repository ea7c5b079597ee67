// cgfreeze create / add: jobs and who is in them.

#include "lib/signal/pinned_task.h"
#include "lib/cgroup/self_cgroup.h"
#include "lib/cgroup/systemd_unit.h"
#include "lib/io/task_info.h"
#include "tools/cgfreeze/commands.h"

namespace cgjob::cgfreeze {
namespace {

// A process pinned (by its pidfd, or its /proc/PID before 5.3), so that the
// move below can check that the PID still names the process we validated.
struct Mover {
  pid_t pid;
  PinnedTask task;
};

std::optional<std::vector<pid_t>> parse_pids(Context& ctx, const std::vector<std::string>& texts) {
  pid_t pid_max = read_pid_max(ctx.root.io());
  std::vector<pid_t> pids;
  bool ok = true;
  for (const auto& text : texts) {
    auto pid = cli::parse_pid(text, pid_max);
    if (!pid) {
      ctx.reporter.error("", pid.error().reason());
      ok = false;
    } else {
      pids.push_back(*pid);
    }
  }
  if (!ok) return std::nullopt;
  return pids;
}

// Where systemd owns the tree, the systemd unit that `pid` would be taken
// out of: the innermost service or scope of its cgroup, unless that cgroup
// is below the job root (moving between jobs) or the unit is the caller's
// own (a shell's own children). Empty when the move is ours to make.
std::string foreign_unit(Context& ctx, pid_t pid) {
  const Layout& layout = ctx.root.layout();
  if (!layout.systemd) return {};
  auto dir = ctx.root.cgroup_dir_of(pid);
  if (!dir || path_within(*dir, layout.root)) return {};
  auto from_mount = [&](const std::string& d) { return d.substr(std::min(d.size(), layout.mount.size())); };
  std::string unit = unit_of_cgroup(from_mount(*dir));
  if (unit.empty()) return {};
  auto own = ctx.root.cgroup_dir_of(0);
  if (own && unit_of_cgroup(from_mount(*own)) == unit) return {};
  return unit;
}

// Pins each PID; a process that does not exist or is a kernel thread is bad
// input (exit 2). The kernel accepts some kernel threads: we refuse them all.
std::vector<Mover> pin_processes(Context& ctx, std::string_view job, const std::vector<pid_t>& pids,
                                 bool steal, ExitStatus& status) {
  SysIo& io = ctx.root.io();
  std::vector<Mover> movers;
  for (pid_t pid : pids) {
    std::string label = "PID " + std::to_string(pid);
    auto task = PinnedTask::pin(io, pid);
    auto info = task ? read_task_stat(io, pid) : Result<TaskInfo>(task.error());
    if (!info) {
      Error e = info.error();
      if (e.errnum == ESRCH || e.errnum == ENOENT) {
        ctx.reporter.error(job, "cannot add " + label + ": No such process");
        status = worst(status, ExitStatus::usage);
      } else {
        ctx.reporter.failure(job, "add " + label, e);
        status = worst(status, ExitStatus::failed);
      }
      continue;
    }
    if (is_kernel_thread(*info)) {
      ctx.reporter.error(job, "cannot add " + label + ": is a kernel thread (" + info->comm + ")");
      status = worst(status, ExitStatus::usage);
      continue;
    }
    // Moving it would silently escape that unit's limits and accounting.
    if (std::string unit = steal ? std::string() : foreign_unit(ctx, pid); !unit.empty()) {
      ctx.reporter.error(job, "cannot add " + label + ": it belongs to systemd unit " + unit +
                                  " (moving it escapes that unit's limits and accounting); give --steal to move it "
                                  "anyway");
      status = worst(status, ExitStatus::failed);
      continue;
    }
    movers.push_back(Mover{pid, std::move(*task)});
  }
  return movers;
}

// The kernel refused a move with EACCES/EPERM: say which access it wants
// (HierarchyTraits::move_access), naming the common ancestor's cgroup.procs
// where that is part of it.
std::string move_refused(Context& ctx, pid_t pid, const Cgroup& cg, const Error& error) {
  const HierarchyTraits& hierarchy = ctx.root.freezer().traits();
  std::string text = "cannot add PID " + std::to_string(pid) + ": " + error.reason();
  if (!error.path.empty()) text += " (" + error.path + ")";
  text += ": moving a process needs ";
  text += hierarchy.move_access;
  if (hierarchy.move_needs_common_ancestor) {
    auto from = ctx.root.cgroup_dir_of(pid);
    if (from) text += " (" + join_path(common_ancestor(*from, cg.path()), "cgroup.procs") + ")";
  }
  return text;
}

// What the look after a move found.
enum class Moved {
  ours,        ///< the pinned process was moved (and is in the job, or was when it exited)
  elsewhere,   ///< ours was moved, but another move took it out of the job again
  exited,      ///< ours is gone and nobody in the job holds its PID: nothing moved wrongly
  reused,      ///< ours is gone and its PID names a process in the job: that one was moved
};

// Whether the write of m.pid to cgroup.procs moved the process pinned before
// the checks. A process keeps its PID until it is reaped, so ours, alive
// before the write and alive after it, held the PID throughout: the kernel
// moved it. /proc/PID/cgroup, read while ours is still alive (looked at
// again after the read), says where it is now. Ours gone after the write:
// it may have died and been reaped before the write, and a new process that
// got its PID meanwhile was moved instead; a process in the job holding the
// PID now says so.
Moved confirm_move(Context& ctx, const Cgroup& cg, Mover& m, std::string& where) {
  const bool alive_after_write = m.task.alive();
  auto dir = ctx.root.cgroup_dir_of(m.pid);
  const bool alive_after_read = alive_after_write && m.task.alive();
  if (dir) where = *dir;
  if (alive_after_write) {
    // Died between the two looks: the read may be another process's.
    if (!alive_after_read || !dir) return Moved::ours;
    return *dir == cg.path() ? Moved::ours : Moved::elsewhere;
  }
  return dir && *dir == cg.path() ? Moved::reused : Moved::exited;
}

ExitStatus move_all(Context& ctx, const JobName& job, const Cgroup& cg, std::vector<Mover>& movers) {
  ExitStatus status = ExitStatus::ok;
  auto procs = cg.open_procs();
  for (auto& m : movers) {
    std::string label = "add PID " + std::to_string(m.pid);
    // Still the process we pinned? (signal 0 through the pidfd, or a look
    // through /proc/PID; EPERM, for another user's process, says it is
    // alive: the move decides.)
    if (!m.task.alive()) {
      ctx.reporter.error(job.text, "cannot " + label + ": No such process");
      status = worst(status, ExitStatus::usage);
      continue;
    }
    // Without the open fd, each move opens cgroup.procs and reports why not.
    auto moved = procs ? cg.move(m.pid, *procs) : cg.move(m.pid);
    if (!moved && (moved.error().errnum == EACCES || moved.error().errnum == EPERM)) {
      ctx.reporter.error(job.text, move_refused(ctx, m.pid, cg, moved.error()));
      status = worst(status, ExitStatus::failed);
      continue;
    }
    if (!moved) {
      ctx.reporter.failure(job.text, label, moved.error());
      status = worst(status, moved.error().errnum == ESRCH ? ExitStatus::usage : ExitStatus::failed);
      continue;
    }
    std::string where;
    switch (confirm_move(ctx, cg, m, where)) {
      case Moved::ours:
        ctx.reporter.info(job.text, "moved PID " + std::to_string(m.pid));
        break;
      case Moved::exited:
        ctx.reporter.info(job.text, "moved PID " + std::to_string(m.pid) + ", which has exited since");
        break;
      case Moved::elsewhere:
        ctx.reporter.error(job.text, "cannot " + label + ": moved, but another move took it out again (now in " +
                                         where + ")");
        status = worst(status, ExitStatus::failed);
        break;
      case Moved::reused:
        ctx.reporter.error(job.text, "cannot " + label + ": it exited during the move and its PID was reused: " +
                                         "the process moved into the job is another one (see " + where + ")");
        status = worst(status, ExitStatus::failed);
        break;
    }
  }
  return status;
}

}  // namespace

ExitStatus create(Context& ctx, const CreateOptions& options) {
  auto jobs = cli::parse_jobs(ctx.root, options.jobs, ctx.reporter);
  auto pids = parse_pids(ctx, options.pids);
  if (!jobs || !pids) return ExitStatus::usage;
  if (!pids->empty() && jobs->size() != 1) {
    ctx.reporter.error("", "--pid takes exactly one JOB");
    return ExitStatus::usage;
  }
  ExitStatus status = ExitStatus::ok;
  std::vector<Mover> movers;
  if (!pids->empty()) {
    movers = pin_processes(ctx, jobs->front().text, *pids, options.steal, status);
    if (movers.empty()) return status;  // nothing valid to move: create nothing
  }
  for (const auto& job : *jobs) {
    auto cg = ctx.root.create_job(job);
    if (!cg) {
      ctx.reporter.failure(job.text, "create", cg.error());
      status = worst(status, job.absolute ? cli::status_for_lookup(cg.error()) : cli::status_for(cg.error()));
      continue;
    }
    ctx.reporter.info(job.text, "created " + cg->path());
    if (!movers.empty()) status = worst(status, move_all(ctx, job, *cg, movers));
  }
  return status;
}

ExitStatus add(Context& ctx, const AddOptions& options) {
  auto jobs = cli::parse_jobs(ctx.root, {options.job}, ctx.reporter);
  auto pids = parse_pids(ctx, options.pids);
  if (!jobs || !pids) return ExitStatus::usage;
  const JobName& job = jobs->front();
  ExitStatus status = ExitStatus::ok;
  auto cg = ctx.root.open_job(job);
  if (!cg && !(options.create && cg.error().errnum == ENOENT)) {
    ctx.reporter.failure(job.text, "add", cg.error());
    return cli::status_for_lookup(cg.error());
  }
  auto movers = pin_processes(ctx, job.text, *pids, options.steal, status);
  if (movers.empty()) return status;
  if (!cg) {
    cg = ctx.root.create_job(job);
    if (!cg) {
      ctx.reporter.failure(job.text, "create", cg.error());
      return worst(status, cli::status_for(cg.error()));
    }
  }
  return worst(status, move_all(ctx, job, *cg, movers));
}

}  // namespace cgjob::cgfreeze
