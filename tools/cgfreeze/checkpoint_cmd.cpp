// cgfreeze checkpoint and restore: save a whole job with CRIU and start it
// again (kernel/checkpoint.h does the work; this checks the input first).

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "lib/checkpoint/checkpoint.h"
#include "tools/cgfreeze/commands.h"

namespace cgjob::cgfreeze {
namespace {

std::string milliseconds(Clock::duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", std::chrono::duration<double, std::milli>(d).count());
  return buf;
}

// DIR for checkpoint: missing (made), or an empty directory; anything else is bad input.
bool check_dir(Context& ctx, const std::string& dir) {
  if (dir.empty()) {
    ctx.reporter.error("", "no DIR given");
    return false;
  }
  std::error_code ec;
  auto st = std::filesystem::symlink_status(dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    ctx.reporter.error("", "DIR " + dir + ": " + ec.message());
    return false;
  }
  if (!std::filesystem::exists(st)) return true;
  if (!std::filesystem::is_directory(st)) {
    ctx.reporter.error("", "DIR " + dir + " exists and is not a directory");
    return false;
  }
  if (!std::filesystem::is_empty(dir, ec) || ec) {
    ctx.reporter.error("", "DIR " + dir + " is not empty");
    return false;
  }
  return true;
}

std::string absolute(const std::string& dir) {
  std::error_code ec;
  auto p = std::filesystem::absolute(dir, ec);
  return ec ? dir : p.lexically_normal().string();
}

}  // namespace

ExitStatus checkpoint(Context& ctx, const CheckpointOptions& options) {
  auto jobs = cli::parse_jobs(ctx.root, {options.job}, ctx.reporter);
  if (!jobs) return ExitStatus::usage;
  const JobName& job = jobs->front();
  LeaveAs leave = LeaveAs::as_was;
  if (options.leave == "running") leave = LeaveAs::running;
  else if (options.leave == "frozen") leave = LeaveAs::frozen;
  else if (options.leave == "killed") leave = LeaveAs::killed;
  else if (!options.leave.empty()) {
    ctx.reporter.error(job.text, "--leave: expected running, frozen or killed, not '" + options.leave + "'");
    return ExitStatus::usage;
  }
  std::optional<cli::Duration> timeout;
  if (!cli::parse_duration_option(options.timeout, timeout, "--timeout", ctx.reporter)) return ExitStatus::usage;
  if (!check_dir(ctx, options.dir)) return ExitStatus::usage;
  auto cg = ctx.root.open_job(job);
  if (!cg) {
    ctx.reporter.failure(job.text, "checkpoint", cg.error());
    return cli::status_for_lookup(cg.error());
  }
  const Caller caller = ctx.root.caller();
  if (caller.inside(*cg)) {
    ctx.reporter.error(job.text, "cannot checkpoint: cgfreeze itself runs inside the job");
    return ExitStatus::failed;
  }
  // Refused before anything is frozen or written: a job CRIU cannot save whole.
  auto tree = inspect_job_tree(*cg);
  if (!tree) {
    ctx.reporter.error(job.text, "cannot checkpoint: " + tree.error().reason());
    return ExitStatus::failed;
  }
  auto criu = probe_criu();
  if (!criu.usable) {
    ctx.reporter.error(job.text, "cannot checkpoint: " + criu.reason);
    return ExitStatus::failed;
  }
  CheckpointRequest request;
  request.name = job.text;
  request.dir = absolute(options.dir);
  request.leave = leave;
  request.deadline = Deadline::after_optional(ctx.root.io(), timeout);
  auto saved = checkpoint_job(ctx.root.freezer(), *cg, request, criu);
  if (!saved) {
    ctx.reporter.error(job.text, "checkpoint failed, the job is as it was: " + saved.error().message());
    return saved.error().errnum == ETIMEDOUT ? ExitStatus::timed_out : ExitStatus::failed;
  }
  std::size_t n = 0;
  for (const auto& entry : saved->manifest.jobs) n += entry.pids.size();
  std::string left = leave == LeaveAs::killed ? "killed" : saved->left_frozen ? "frozen" : "running";
  ctx.reporter.info(job.text, "saved " + std::to_string(n) + " process" + (n == 1 ? "" : "es") + " to " +
                                  request.dir + ", left " + left +
                                  (saved->frozen_for.count() > 0 ? ", frozen for " + milliseconds(saved->frozen_for)
                                                                 : std::string()));
  return ExitStatus::ok;
}

int restore(Context& ctx, const RestoreOptions& options) {
  auto jobs = cli::parse_jobs(ctx.root, {options.job}, ctx.reporter);
  if (!jobs) return static_cast<int>(ExitStatus::usage);
  const JobName& job = jobs->front();
  if (options.frozen && options.thawed) {
    ctx.reporter.error(job.text, "--frozen and --thawed exclude each other");
    return static_cast<int>(ExitStatus::usage);
  }
  std::string dir = absolute(options.dir);
  auto manifest = read_manifest(dir);
  if (!manifest) {
    ctx.reporter.failure(job.text, "restore", manifest.error());
    return static_cast<int>(ExitStatus::usage);
  }
  auto criu = probe_criu();
  if (!criu.usable) {
    ctx.reporter.error(job.text, "cannot restore: " + criu.reason);
    return static_cast<int>(ExitStatus::failed);
  }
  char exe[4096];
  ssize_t len = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) {
    ctx.reporter.failure(job.text, "restore", sys_error(errno, "readlink", "/proc/self/exe"));
    return static_cast<int>(ExitStatus::failed);
  }
  RestoreRequest request;
  request.dir = dir;
  if (options.frozen) request.frozen = true;
  if (options.thawed) request.frozen = false;
  request.detach = options.detach;
  request.hook.assign(exe, static_cast<std::size_t>(len));
  std::optional<cli::Duration> timeout;
  if (!cli::parse_duration_option(options.timeout, timeout, "--timeout", ctx.reporter)) {
    return static_cast<int>(ExitStatus::usage);
  }
  request.deadline = Deadline::after_optional(ctx.root.io(), timeout);
  auto restored = restore_job(ctx.root.freezer(), ctx.root.io(), ctx.root.path_of(job), *manifest, request, criu);
  if (!restored) {
    ctx.reporter.failure(job.text, "restore", restored.error());
    return static_cast<int>(restored.error().bad_input ? ExitStatus::usage : ExitStatus::failed);
  }
  ctx.reporter.info(job.text, "restored " + std::to_string(restored->processes) + " processes, " +
                                  (restored->frozen ? "frozen" : "running") + "; root PID " +
                                  std::to_string(restored->root));
  if (options.detach) {
    std::printf("%d\n", restored->root);
    return 0;
  }
  int status = 0;
  while (::waitpid(restored->root, &status, 0) < 0) {
    if (errno != EINTR) return 0;  // not our child after all: nothing to wait for
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace cgjob::cgfreeze
