// cgfreeze run: start a command inside a job.

#include <csignal>
#include <cstdio>

#include "lib/signal/defer_interrupts.h"
#include "lib/process/supervise.h"
#include "tools/cgfreeze/commands.h"
#include "tools/common/signals.h"

namespace cgjob::cgfreeze {

int run(Context& ctx, const RunOptions& options) {
  auto jobs = cli::parse_jobs(ctx.root, {options.job}, ctx.reporter);
  if (!jobs) return static_cast<int>(ExitStatus::usage);
  if (options.command.empty()) {
    ctx.reporter.error("", "no COMMAND given (cgfreeze run JOB -- COMMAND [ARG...])");
    return static_cast<int>(ExitStatus::usage);
  }
  const JobName& job = jobs->front();

  // A child started into a frozen job would freeze before exec: refuse. A
  // job frozen after this look is caught by spawn_in_cgroup(), which kills
  // the child before it ran COMMAND.
  auto existing = ctx.root.open_job(job);
  if (existing) {
    auto st = ctx.root.freezer().status(*existing);
    if (st && (st->state != FreezeState::thawed || st->self_freezing || st->parent_freezing)) {
      ctx.reporter.error(job.text, "cannot run: job is " + std::string(to_string(st->state)) +
                                       " (thaw it first)");
      return static_cast<int>(ExitStatus::failed);
    }
  } else if (existing.error().errnum != ENOENT || job.absolute) {
    ctx.reporter.failure(job.text, "run", existing.error());
    return static_cast<int>(cli::status_for_lookup(existing.error()));
  }
  auto cg = existing ? std::move(existing) : ctx.root.create_job(job);
  if (!cg) {
    ctx.reporter.failure(job.text, "create", cg.error());
    return static_cast<int>(cli::status_for(cg.error()));
  }

  // Block the forwarded signals before the child exists, so none is lost.
  std::optional<SignalForwarder> forwarder;
  if (!options.detach) {
    auto f = SignalForwarder::block(DeferInterrupts::signals());
    if (!f) {
      ctx.reporter.failure(job.text, "run", f.error());
      return static_cast<int>(ExitStatus::failed);
    }
    forwarder.emplace(std::move(*f));
  }
  // v1: a child that must die before it started goes back to our cgroup,
  // which thaws it (a frozen v1 task does not die before that).
  std::optional<Cgroup> home;
  if (!ctx.root.freezer().traits().frozen_die_of_sigkill) {
    auto dir = ctx.root.cgroup_dir_of(0);
    if (dir) {
      auto opened = Cgroup::open(ctx.root.io(), *dir);
      if (opened) home.emplace(std::move(*opened));
    }
  }
  SpawnMode mode = options.detach ? SpawnMode::detached : SpawnMode::attached;
  SpawnOptions spawn;
  spawn.mode = mode;
  if (forwarder) spawn = forwarder->spawn_options(mode);
  if (home) spawn.home = &*home;
  // The job root exists by now (unless JOB is an absolute path): a scratch
  // cgroup there tells whether this kernel kills CLONE_INTO_CGROUP children
  // of killed jobs (lib/process/spawn.h).
  if (!job.absolute) spawn.scratch_parent = ctx.root.layout().root;
  auto child = spawn_in_cgroup(*cg, ctx.root.freezer(), options.command, spawn);
  if (!child) {
    const Error& e = child.error();
    if (e.errnum == EINTR && forwarder) {
      // A signal came before COMMAND started: it was killed unstarted, and we
      // end as COMMAND would have.
      int signo = forwarder->take_signal();
      std::string by = signo > 0 ? " by SIG" + cli::signal_name(signo) : "";
      ctx.reporter.error(job.text, options.command.front() + " not started: interrupted" + by);
      return signo > 0 ? 128 + signo : static_cast<int>(ExitStatus::failed);
    }
    if (e.errnum == EBUSY && e.op.empty()) {
      ctx.reporter.error(job.text, "cannot run " + options.command.front() + ": " + e.reason());
      return static_cast<int>(ExitStatus::failed);
    }
    ctx.reporter.failure(job.text, "run " + options.command.front(), e);
    if (e.op == "exec") return e.errnum == ENOENT ? 127 : 126;
    return static_cast<int>(cli::status_for(e));
  }
  if (options.detach) {
    std::printf("%d\n", child->pid);
    std::fflush(stdout);
    return 0;
  }
  auto code = forwarder->wait_forwarding(*child);
  if (!code) {
    ctx.reporter.failure(job.text, "wait for " + options.command.front(), code.error());
    return static_cast<int>(ExitStatus::failed);
  }
  return *code;
}

}  // namespace cgjob::cgfreeze
