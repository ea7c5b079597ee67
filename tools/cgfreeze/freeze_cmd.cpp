// cgfreeze freeze / thaw.

#include "kernel/freeze_blockers.h"
#include "kernel/self_cgroup.h"
#include "tools/cgfreeze/commands.h"

namespace cgjob::cgfreeze {
namespace {

// How long the thaw-back after a timeout may wait for the job's lock.
constexpr auto k_thaw_back_bound = std::chrono::seconds(10);

struct Target {
  JobName name;
  Cgroup cg;
};

// Opens every job; reports the missing ones. `refuse_self`: the job must not
// contain this process (freezing it would never return).
std::vector<Target> open_targets(Context& ctx, const std::vector<JobName>& names, std::string_view verb,
                                 bool refuse_self, ExitStatus& status) {
  std::string self_dir;
  if (refuse_self) {
    auto dir = ctx.root.cgroup_dir_of(0);
    if (dir) self_dir = *dir;
  }
  std::vector<Target> targets;
  for (const auto& name : names) {
    auto cg = ctx.root.open_job(name);
    if (!cg) {
      ctx.reporter.failure(name.text, verb, cg.error());
      status = worst(status, cli::status_for_lookup(cg.error()));
      continue;
    }
    if (!self_dir.empty() && path_within(self_dir, cg->path())) {
      ctx.reporter.error(name.text, "refusing to freeze a job that contains cgfreeze itself (" + self_dir + ")");
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

}  // namespace

ExitStatus freeze(Context& ctx, const FreezeOptions& options) {
  auto parsed = parse(ctx, options);
  if (!parsed) return ExitStatus::usage;
  ExitStatus status = ExitStatus::ok;
  auto targets = open_targets(ctx, parsed->jobs, "freeze", true, status);
  SysIo& io = ctx.root.io();
  Deadline deadline = request_deadline(io, *parsed);
  auto cgroups = cgroups_of(targets);
  auto outcomes = change_freeze(ctx.root.freezer(), cgroups, true, options.wait, deadline);
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
    // Timed out: say what did not freeze, then never leave it half-frozen
    // silently: roll back unless asked to keep the request, or unless the
    // request is no longer ours to undo (kernel/job_lock.h).
    ctx.reporter.error(t.name.text, "timed out waiting for FROZEN");
    report_blockers(ctx, t);
    if (options.keep) {
      ctx.reporter.error(t.name.text, "left FREEZING (--keep)");
    } else if (!outcomes[i].was_self_freezing) {
      auto undone = undo_freeze(ctx.root.freezer(), t.cg, outcomes[i], Deadline::after(io, k_thaw_back_bound));
      if (!undone) ctx.reporter.failure(t.name.text, "thaw back", undone.error());
      else if (*undone) ctx.reporter.error(t.name.text, "thawed back");
      else ctx.reporter.error(t.name.text, "not thawed back: another run asked for a change meanwhile");
    }
    status = worst(status, ExitStatus::timed_out);
  }
  return status;
}

ExitStatus thaw(Context& ctx, const FreezeOptions& options) {
  auto parsed = parse(ctx, options);
  if (!parsed) return ExitStatus::usage;
  ExitStatus status = ExitStatus::ok;
  auto targets = open_targets(ctx, parsed->jobs, "thaw", false, status);
  SysIo& io = ctx.root.io();
  Freezer& freezer = ctx.root.freezer();
  Deadline deadline = request_deadline(io, *parsed);

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
  return status;
}

}  // namespace cgjob::cgfreeze
