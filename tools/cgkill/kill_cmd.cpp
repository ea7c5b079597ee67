// cgkill: signal whole jobs, race-free, and optionally wait or escalate.

#include "tools/cgkill/kill_cmd.h"

#include <cstdio>

#include "lib/signal/signaller.h"
#include "tools/common/signals.h"
#include "tools/common/unconfirmed.h"

namespace cgjob::cgkill {
namespace {

using cli::signal_name;

std::string processes(std::size_t n) { return std::to_string(n) + (n == 1 ? " process" : " processes"); }

// How the signal went out, as cgkill(1) lists it for -v.
std::string mechanism(const SignalReport& r) {
  if (r.used_cgroup_kill) return "cgroup.kill";
  if (r.used_cgroup_signal) return "cgroup.signal";
  std::string how = r.pinned_by_proc ? "kill" : "pidfds";
  return r.best_effort || r.freeze_incomplete ? how + ", not frozen" : "frozen, " + how;
}

struct Target {
  const JobName* name;
  Cgroup cg;
  SignalReport report;
  bool pending = true;  ///< signalled, not known to be empty yet
};

// Signals `t` with `sig`; reports and returns false on failure.
bool send(JobRoot& root, const Caller& caller, cli::Reporter& reporter, Target& t, int sig, Deadline deadline,
          ExitStatus& status) {
  // The count is for -v only: without it the signal goes out at once.
  auto sent = signal_job(root.freezer(), t.cg, sig, deadline, caller, k_default_freeze_wait,
                         reporter.verbose() ? CountFirst::yes : CountFirst::no);
  if (!sent) {
    reporter.failure(t.name->text, "send " + signal_name(sig), sent.error());
    status = worst(status, cli::status_for_lookup(sent.error()));
    t.pending = false;
    return false;
  }
  reporter.info(t.name->text,
                "sent " + signal_name(sig) + " to " + processes(sent->signalled) + " (" + mechanism(*sent) + ")");
  if (auto warning = cli::unconfirmed_warning(*sent); !warning.empty()) reporter.error(t.name->text, warning);
  if (sent->caller_unknown) {
    reporter.info(t.name->text, std::string("cgkill could not read its own cgroup, so it ") +
                                    (sent->best_effort ? "took itself for inside the job"
                                                       : "looked for itself in the job's processes: not there"));
  }
  if (sent->best_effort) {
    reporter.info(t.name->text, "cgkill runs inside the job, so it was not frozen: best effort against forks");
  }
  // A guarantee not kept is said even without -v (cgkill(1)).
  if (sent->freeze_incomplete) {
    reporter.error(t.name->text,
                   "warning: the job did not freeze in time, so it was signalled running: a process it forked "
                   "meanwhile may have missed the " + signal_name(sig));
  }
  for (pid_t pid : sent->still_blocking) {
    reporter.error(t.name->text, "warning: process " + std::to_string(pid) + " still blocks " + signal_name(sig) +
                                     ": it is pending there, but a child it forks before unblocking it will not get it");
  }
  t.report = std::move(*sent);
  return true;
}

// Waits for `t` to empty until `deadline`; returns the count left, or
// nullopt after reporting a failure.
std::optional<std::size_t> wait(JobRoot& root, const Caller& caller, cli::Reporter& reporter, Target& t,
                                Deadline deadline, ExitStatus& status) {
  auto left = wait_empty(root.freezer(), t.cg, t.report.pidfds, deadline, caller);
  if (!left) {
    reporter.failure(t.name->text, "wait for the processes", left.error());
    status = worst(status, ExitStatus::failed);
    t.pending = false;
    return std::nullopt;
  }
  if (*left == 0) {
    reporter.info(t.name->text, "empty");
    t.pending = false;
  }
  return *left;
}

ExitStatus probe(JobRoot& root, cli::Reporter& reporter, const KillRequest& request) {
  ExitStatus status = ExitStatus::ok;
  for (const auto& name : request.jobs) {
    auto cg = root.open_job(name);
    if (!cg) {
      reporter.failure(name.text, "check", cg.error());
      status = worst(status, cli::status_for_lookup(cg.error()));
      continue;
    }
    auto count = count_processes(*cg);
    if (!count) {
      reporter.failure(name.text, "check", count.error());
      status = worst(status, cli::status_for_lookup(count.error()));
    } else if (*count == 0) {
      reporter.info(name.text, "no processes");
      status = worst(status, ExitStatus::failed);
    } else {
      reporter.info(name.text, processes(*count));
    }
  }
  return status;
}

}  // namespace

ExitStatus kill_jobs(JobRoot& root, cli::Reporter& reporter, const KillRequest& request) {
  if (request.sig == 0) return probe(root, reporter, request);
  SysIo& io = root.io();
  Deadline total = Deadline::after_optional(io, request.timeout);
  ExitStatus status = ExitStatus::ok;
  const Caller caller = root.caller();

  // Every job is signalled first, then all are waited for together: a slow
  // job does not delay the signal to the next one.
  std::vector<Target> targets;
  for (const auto& name : request.jobs) {
    auto cg = root.open_job(name);
    if (!cg) {
      reporter.failure(name.text, "send " + signal_name(request.sig), cg.error());
      status = worst(status, cli::status_for_lookup(cg.error()));
      continue;
    }
    Target t{&name, std::move(*cg), {}, true};
    if (send(root, caller, reporter, t, request.sig, total, status)) targets.push_back(std::move(t));
  }
  if (!request.wait && !request.escalate) return status;

  if (request.escalate) {
    Deadline grace = total.min(Deadline::after(io, *request.escalate));
    for (auto& t : targets) (void)wait(root, caller, reporter, t, grace, status);
    // --timeout bounds the whole run: once it has run out, no escalation.
    if (!total.expired(io)) {
      for (auto& t : targets) {
        if (!t.pending) continue;
        auto left = count_processes(t.cg, caller.inside(t.cg) ? caller.pid : 0);
        reporter.info(t.name->text, (left ? processes(*left) : std::string("processes")) + " left after " +
                                        signal_name(request.sig) + ": sending KILL");
        (void)send(root, caller, reporter, t, SIGKILL, total, status);
      }
    }
  }
  for (auto& t : targets) {
    if (!t.pending) continue;
    auto left = wait(root, caller, reporter, t, total, status);
    if (left && *left > 0) {
      reporter.error(t.name->text, "timed out: " + processes(*left) + " left");
      status = worst(status, ExitStatus::timed_out);
    }
  }
  return status;
}

ExitStatus list_signals(cli::Reporter& reporter, const std::vector<std::string>& signals) {
  std::string out;
  ExitStatus status = ExitStatus::ok;
  if (signals.empty()) {
    for (const auto& entry : cli::signal_table()) out += entry.name + "\t" + std::to_string(entry.number) + "\n";
  }
  for (const auto& text : signals) {
    auto line = cli::translate_signal(text);
    if (!line) {
      reporter.error("", line.error().reason());
      status = ExitStatus::usage;
      continue;
    }
    out += *line + "\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return status;
}

}  // namespace cgjob::cgkill
