// cgfreeze freeze / thaw.

#include <algorithm>
#include <functional>
#include <optional>
#include <span>

#include "lib/signal/defer_interrupts.h"
#include "lib/freezer/freeze_blockers.h"
#include "lib/cgroup/self_cgroup.h"
#include "tools/cgfreeze/commands.h"

namespace cgjob::cgfreeze {
namespace {

// How long the thaw-back after a timeout may wait for the job's lock.
constexpr auto k_thaw_back_bound = std::chrono::seconds(10);

// How many JOBs are requested together, then waited for together. While its
// batch runs each job holds its directory fd and, for a wait, its watch fd;
// a run over more JOBs than the fd limit allows (1,024 is the usual soft
// limit) must not fail for that, so the jobs go in batches of this many,
// one after the other, and a batch's fds are closed before the next opens.
constexpr std::size_t k_batch = 256;

// The status of a freeze --wait --timeout that an interrupt ended before
// its jobs were FROZEN: 128+SIGINT. The run in fact ends by the signal
// itself once the jobs are back (as timeout(1) does), so a shell reports
// 128+N for whichever of SIGINT, SIGTERM, SIGHUP, SIGQUIT it was; this is
// the status should the signal not end it.
constexpr int k_interrupted_status = 130;

struct Target {
  JobName name;
  Cgroup cg;
};

// Opens every job; reports the missing ones. `self` (when set): no job may
// contain that process, ours (freezing it would never return); where that
// cannot be told, the job is refused too (lib/cgroup/caller.h).
std::vector<Target> open_targets(Context& ctx, std::span<const JobName> names, std::string_view verb,
                                 const Caller* self, ExitStatus& status) {
  std::vector<Target> targets;
  for (const auto& name : names) {
    auto cg = ctx.root.open_job(name);
    if (!cg) {
      ctx.reporter.failure(name.text, verb, cg.error());
      status = worst(status, cli::status_for_lookup(cg.error()));
      continue;
    }
    if (self && runs_inside(*cg, *self)) {
      ctx.reporter.error(name.text, "refusing to freeze a job that contains cgfreeze itself (" +
                                        (self->known() ? self->cgroup_dir : "its own cgroup is unknown") + ")");
      status = worst(status, ExitStatus::failed);
      continue;
    }
    targets.push_back(Target{name, std::move(*cg)});
  }
  return targets;
}

std::vector<const Cgroup*> cgroups_of(const std::vector<Target>& targets) {
  std::vector<const Cgroup*> out;
  for (const auto& t : targets) out.push_back(&t.cg);
  return out;
}

void report_blockers(Context& ctx, const Target& t) {
  auto tasks = tasks_not_frozen(t.cg, ctx.root.freezer().traits());
  if (!tasks) return;
  for (const auto& task : *tasks) {
    ctx.reporter.error(t.name.text, "not frozen: pid " + std::to_string(task.pid) + " comm " + task.comm +
                                        " state " + std::string(1, task.state) + " wchan " +
                                        (task.wchan.empty() ? "-" : task.wchan));
  }
}

struct Parsed {
  std::vector<JobName> jobs;
  std::optional<cli::Duration> timeout;
};

std::optional<Parsed> parse(Context& ctx, const FreezeOptions& options) {
  Parsed p;
  auto jobs = cli::parse_jobs(ctx.root, options.jobs, ctx.reporter);
  if (!jobs) return std::nullopt;
  p.jobs = std::move(*jobs);
  if (!cli::parse_duration_option(options.timeout, p.timeout, "--timeout", ctx.reporter)) return std::nullopt;
  return p;
}

// --timeout bounds everything, lock waits included; without it --wait waits
// as long as it takes (change_freeze bounds a bare request's EBUSY retries,
// JobLock its lock waits).
Deadline request_deadline(SysIo& io, const Parsed& parsed) { return Deadline::after_optional(io, parsed.timeout); }

// The jobs of `names` in batches of k_batch, in order.
std::vector<std::span<const JobName>> batches_of(const std::vector<JobName>& names) {
  std::vector<std::span<const JobName>> out;
  std::span<const JobName> all(names);
  for (std::size_t first = 0; first < all.size(); first += k_batch) {
    out.push_back(all.subspan(first, std::min(k_batch, all.size() - first)));
  }
  return out;
}

// Freezes one batch: requested together, then waited for together. A job
// not FROZEN when the wait ended (the deadline, or an interrupt) is thawed
// back unless --keep. Sets `interrupted` when `interrupts` says so.
ExitStatus freeze_batch(Context& ctx, const FreezeOptions& options, std::span<const JobName> names,
                        const Caller& self, Deadline deadline, const DeferInterrupts* interrupts,
                        bool& interrupted) {
  ExitStatus status = ExitStatus::ok;
  SysIo& io = ctx.root.io();
  auto targets = open_targets(ctx, names, "freeze", &self, status);
  std::function<bool()> stop;
  if (interrupts != nullptr) stop = [interrupts] { return interrupts->interrupted(); };
  auto outcomes = change_freeze(ctx.root.freezer(), cgroups_of(targets), true, options.wait, deadline, stop);
  interrupted = interrupts != nullptr && interrupts->interrupted();
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const auto& t = targets[i];
    if (!outcomes[i].request) {
      ctx.reporter.failure(t.name.text, "freeze", outcomes[i].request.error());
      status = worst(status, cli::status_for_lookup(outcomes[i].request.error()));
      continue;
    }
    if (!options.wait || outcomes[i].reached) {
      ctx.reporter.info(t.name.text, options.wait ? "frozen" : "freeze requested");
      continue;
    }
    // Timed out or interrupted: say what did not freeze, then never leave
    // it half-frozen silently: roll back unless asked to keep the request,
    // or unless the request is no longer ours to undo (lib/freezer/job_lock.h).
    if (interrupted) {
      ctx.reporter.error(t.name.text, "interrupted before FROZEN");
    } else {
      ctx.reporter.error(t.name.text, "timed out waiting for FROZEN");
      report_blockers(ctx, t);
      status = worst(status, ExitStatus::timed_out);
    }
    if (options.keep) {
      ctx.reporter.error(t.name.text, "left FREEZING (--keep)");
    } else if (!outcomes[i].was_self_freezing) {
      auto undone = undo_freeze(ctx.root.freezer(), t.cg, outcomes[i], Deadline::after(io, k_thaw_back_bound));
      if (!undone) ctx.reporter.failure(t.name.text, "thaw back", undone.error());
      else if (*undone) ctx.reporter.error(t.name.text, "thawed back");
      else ctx.reporter.error(t.name.text, "not thawed back: another run asked for a change meanwhile");
    }
  }
  return status;
}

}  // namespace

ExitStatus freeze(Context& ctx, const FreezeOptions& options) {
  auto parsed = parse(ctx, options);
  if (!parsed) return ExitStatus::usage;
  ExitStatus status = ExitStatus::ok;
  SysIo& io = ctx.root.io();
  Deadline deadline = request_deadline(io, *parsed);
  const Caller self = ctx.root.caller();
  // --wait --timeout asks for "FROZEN in time, or as before": an interrupt
  // before FROZEN rolls back as the timeout would. Without --timeout the
  // request simply stays in (the state lives in the kernel): the signals
  // keep their default action. One the caller left ignored is no interrupt
  // (DeferInterrupts does not hold it back).
  std::optional<DeferInterrupts> interrupts;
  if (options.wait && parsed->timeout) interrupts.emplace();
  bool interrupted = false;
  for (auto batch : batches_of(parsed->jobs)) {
    // A later batch after the deadline or an interrupt is not requested at
    // all: there is nothing to roll back for it.
    if (interrupted || (options.wait && parsed->timeout && deadline.expired(io))) {
      for (const auto& name : batch) {
        ctx.reporter.error(name.text, interrupted ? "not frozen: interrupted before its request"
                                                  : "timed out before its freeze was requested");
      }
      if (!interrupted) status = worst(status, ExitStatus::timed_out);
      continue;
    }
    status = worst(status, freeze_batch(ctx, options, batch, self, deadline,
                                        interrupts ? &*interrupts : nullptr, interrupted));
  }
  if (interrupted) {
    // Everything is back: the held-back signal ends us now, by its default
    // action, as it would have at once without --timeout.
    interrupts.reset();
    return worst(status, static_cast<ExitStatus>(k_interrupted_status));
  }
  return status;
}

ExitStatus thaw(Context& ctx, const FreezeOptions& options) {
  auto parsed = parse(ctx, options);
  if (!parsed) return ExitStatus::usage;
  ExitStatus status = ExitStatus::ok;
  SysIo& io = ctx.root.io();
  Freezer& freezer = ctx.root.freezer();
  Deadline deadline = request_deadline(io, *parsed);

  for (auto batch : batches_of(parsed->jobs)) {
    auto targets = open_targets(ctx, batch, "thaw", nullptr, status);
    // An ancestor's freeze keeps a job frozen whatever we write: such a job
    // gets its thaw request but no wait, and an error at once instead of a
    // wait for something that cannot happen. Looked up before any write: once
    // the job's tasks wake up they compete with us for the CPU.
    std::vector<Target> waiting;
    std::vector<std::pair<Target, std::string>> held;  // and the frozen ancestor
    for (auto& t : targets) {
      auto ancestor = options.wait ? freezing_ancestor(freezer, t.cg, ctx.root.layout().mount) : std::string();
      if (ancestor && !ancestor->empty()) held.emplace_back(std::move(t), *ancestor);
      else waiting.push_back(std::move(t));
    }

    auto outcomes = change_freeze(freezer, cgroups_of(waiting), false, options.wait, deadline);
    for (std::size_t i = 0; i < waiting.size(); ++i) {
      if (!outcomes[i].request) {
        ctx.reporter.failure(waiting[i].name.text, "thaw", outcomes[i].request.error());
        status = worst(status, cli::status_for_lookup(outcomes[i].request.error()));
      } else if (options.wait && !outcomes[i].reached) {
        ctx.reporter.error(waiting[i].name.text, "timed out waiting for THAWED");
        status = worst(status, ExitStatus::timed_out);
      }
    }
    for (auto& [t, ancestor] : held) {
      const Cgroup* one[] = {&t.cg};
      auto outcome = change_freeze(freezer, one, false, false, deadline)[0];
      if (!outcome.request) {
        ctx.reporter.failure(t.name.text, "thaw", outcome.request.error());
        status = worst(status, cli::status_for_lookup(outcome.request.error()));
        continue;
      }
      ctx.reporter.error(t.name.text, "cannot thaw: ancestor " + ctx.root.display_name(ancestor) +
                                          " is frozen (" + ancestor + ")");
      status = worst(status, ExitStatus::failed);
    }
  }
  return status;
}

}  // namespace cgjob::cgfreeze
