// cgfreeze rm: remove jobs, deepest first, optionally killing what is inside.

#include <csignal>

#include "lib/freezer/job_lock.h"
#include "tools/cgfreeze/commands.h"
#include "tools/common/unconfirmed.h"

namespace cgjob::cgfreeze {
namespace {

// rmdir may answer EBUSY for a few ms after the last task exited.
constexpr auto k_rmdir_grace = std::chrono::seconds(5);

// For a job that stays busy: "3 processes" of another PID namespace (v2 lists
// them as 0), "processes" on v1 (which leaves them out: busy, yet none
// visible), or "" when it is not that.
std::string processes_not_visible(Context& ctx, const Cgroup& cg) {
  auto hidden = subtree_hidden_procs(cg);
  if (hidden && *hidden > 0) return std::to_string(*hidden) + " process" + (*hidden == 1 ? "" : "es");
  auto visible = count_processes(cg);
  bool left_out = !ctx.root.freezer().traits().lists_hidden_processes;
  return left_out && visible && *visible == 0 ? "processes" : "";
}

}  // namespace

ExitStatus remove(Context& ctx, const RemoveOptions& options) {
  auto jobs = cli::parse_jobs(ctx.root, options.jobs, ctx.reporter);
  if (!jobs) return ExitStatus::usage;
  *jobs = cli::without_covered_jobs(ctx.root, std::move(*jobs));  // removing b removes b/sub too
  std::optional<cli::Duration> timeout;
  if (!cli::parse_duration_option(options.timeout, timeout, "--timeout", ctx.reporter)) return ExitStatus::usage;
  SysIo& io = ctx.root.io();
  Deadline deadline = Deadline::after_optional(io, timeout);
  ExitStatus status = ExitStatus::ok;
  const Caller caller = ctx.root.caller();
  for (const auto& job : *jobs) {
    auto cg = ctx.root.open_job(job);
    if (!cg) {
      ctx.reporter.failure(job.text, "remove", cg.error());
      status = worst(status, cli::status_for_lookup(cg.error()));
      continue;
    }
    auto count = count_processes(*cg);
    if (!count) {
      ctx.reporter.failure(job.text, "remove", count.error());
      status = worst(status, cli::status_for_lookup(count.error()));
      continue;
    }
    if (*count > 0 && !options.kill) {
      ctx.reporter.error(job.text, "cannot remove: job has " + std::to_string(*count) +
                                       " process" + (*count == 1 ? "" : "es") + " (use --kill)");
      status = worst(status, ExitStatus::failed);
      continue;
    }
    if (*count > 0) {
      // Counted just above: cgroup.kill goes out without a second count.
      auto killed = signal_job(ctx.root.freezer(), *cg, SIGKILL, deadline, caller, k_default_freeze_wait,
                               CountFirst::no);
      if (!killed) {
        ctx.reporter.failure(job.text, "kill", killed.error());
        status = worst(status, cli::status_for_lookup(killed.error()));
        continue;
      }
      std::size_t n = killed->used_cgroup_kill || killed->used_cgroup_signal ? *count : killed->signalled;
      ctx.reporter.info(job.text, "killed " + std::to_string(n) + " processes");
      if (auto warning = cli::unconfirmed_warning(*killed); !warning.empty()) ctx.reporter.error(job.text, warning);
      if (killed->best_effort) {
        ctx.reporter.info(job.text, "cgfreeze runs inside the job, so it was not frozen: best effort against forks");
      }
      auto left = wait_empty(ctx.root.freezer(), *cg, killed->pidfds, deadline, caller);
      if (!left) {
        ctx.reporter.failure(job.text, "wait for the processes", left.error());
        status = worst(status, ExitStatus::failed);
        continue;
      }
      if (*left > 0) {
        ctx.reporter.error(job.text, "timed out: " + std::to_string(*left) + " process" +
                                         (*left == 1 ? "" : "es") + " left");
        status = worst(status, ExitStatus::timed_out);
        continue;
      }
    }
    // (Where cgfreeze cannot tell, rmdir answers EBUSY if it is inside.)
    if (caller.known() && caller.inside(*cg)) {
      ctx.reporter.error(job.text, "cannot remove: cgfreeze itself runs inside it (" + caller.cgroup_dir + ")");
      status = worst(status, ExitStatus::failed);
      continue;
    }
    std::vector<std::string> paths;
    if (auto subtree = open_subtree(*cg)) {
      for (const auto& sub : *subtree) {
        if (auto key = lock_key(sub)) paths.push_back(std::move(*key));
      }
    }
    auto removed = remove_subtree(*cg, deadline.min(Deadline::after(io, k_rmdir_grace)));
    if (!removed) {
      std::string unseen = removed.error().errnum == EBUSY ? processes_not_visible(ctx, *cg) : "";
      if (!unseen.empty()) {
        ctx.reporter.error(job.text, "cannot remove: job still has " + unseen + " not visible in this PID namespace");
        status = worst(status, ExitStatus::failed);
        continue;
      }
      ctx.reporter.failure(job.text, "remove", removed.error());
      status = worst(status, cli::status_for_lookup(removed.error()));
      continue;
    }
    for (const auto& key : paths) JobLock::discard(io, key);
    ctx.reporter.info(job.text, "removed");
  }
  return status;
}

}  // namespace cgjob::cgfreeze
