#include "lib/checkpoint/criu.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "lib/base/unique_fd.h"

extern char** environ;

namespace cgjob {
namespace {

constexpr std::size_t k_output_limit = 1 << 20;

bool executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

Result<std::string> find_criu() {
  const char* env = std::getenv("PATH");
  std::string path = env != nullptr ? env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (!dir.empty() && dir[0] == '/' && executable(dir + "/criu")) return dir + "/criu";
    start = end + 1;
  }
  return text_error("criu is not installed (not found in PATH)", "", ENOENT);
}

Result<CriuOutcome> run_criu(const std::string& criu, const std::vector<std::string>& args,
                             const std::vector<std::string>& env, SysIo* io, Deadline deadline) {
  // Everything the child needs is made before fork: it only calls
  // async-signal-safe functions until exec.
  std::vector<std::string> argv_s{criu};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; ++e) env_s.emplace_back(*e);
  env_s.insert(env_s.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return sys_error(errno, "pipe");
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0) return sys_error(errno, "open", "/dev/null");
  UniqueFd null_fd(devnull);
  sigset_t none;
  sigemptyset(&none);
  pid_t pid = ::fork();
  if (pid < 0) return sys_error(errno, "fork");
  if (pid == 0) {
    ::setpgid(0, 0);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(null_fd.get(), 0);
    ::dup2(write_end.get(), 1);
    ::dup2(write_end.get(), 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  write_end.reset();
  CriuOutcome outcome;
  char buf[4096];
  bool timed_out = false;
  for (;;) {
    if (io != nullptr && !deadline.is_never()) {
      // Output ends when CRIU (and whatever it started) exits; a CRIU that
      // hangs must not hang us.
      pollfd p{read_end.get(), POLLIN, 0};
      auto ready = io->poll(std::span<pollfd>(&p, 1), deadline.remaining(*io, std::chrono::seconds(1)));
      if (ready && *ready == 0) {
        if (!deadline.expired(*io)) continue;
        ::kill(-pid, SIGKILL);
        timed_out = true;
        break;
      }
    }
    ssize_t n = ::read(read_end.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (outcome.output.size() < k_output_limit) outcome.output.append(buf, static_cast<std::size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return sys_error(errno, "waitpid", criu);
  }
  if (timed_out) return text_error("criu did not finish in time, so it was killed", criu, ETIMEDOUT);
  outcome.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return outcome;
}

std::string criu_error_line(std::string_view output) {
  // "Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds". The
  // first error is the cause; "exited, status=1" lines only report a helper.
  std::size_t pos = 0;
  std::string fallback;
  while (pos < output.size()) {
    std::size_t end = output.find('\n', pos);
    if (end == std::string_view::npos) end = output.size();
    std::string_view line = output.substr(pos, end - pos);
    pos = end + 1;
    std::size_t at = line.find("Error (");
    if (at == std::string_view::npos) continue;
    std::size_t colon = line.find("): ", at);
    std::string_view text = colon == std::string_view::npos ? line.substr(at) : line.substr(colon + 3);
    if (text.find("exited, status=") != std::string_view::npos) {
      if (fallback.empty()) fallback = text;
      continue;
    }
    return std::string(text);
  }
  return fallback;
}

CriuSupport probe_criu() {
  CriuSupport support;
  auto criu = find_criu();
  if (!criu) {
    support.reason = criu.error().reason();
    return support;
  }
  support.criu = *criu;
  if (auto version = run_criu(*criu, {"--version"}); version && version->status == 0) {
    std::string_view out = version->output;
    if (auto at = out.find("Version: "); at != std::string_view::npos) {
      out.remove_prefix(at + 9);
      support.version = std::string(out.substr(0, out.find('\n')));
    }
  }
  auto check = run_criu(*criu, {"check"});
  if (!check) {
    support.reason = "cannot run criu check: " + check.error().message();
    return support;
  }
  if (check->status != 0) {
    std::string why = criu_error_line(check->output);
    support.reason = "criu check fails on this kernel" + (why.empty() ? std::string() : ": " + why);
    return support;
  }
  support.usable = true;
  return support;
}

NetworkLock probe_network_lock(const std::string& criu) {
  auto check = run_criu(criu, {"check", "--feature", "network_lock_nftables"});
  return check && check->status == 0 ? NetworkLock::nftables : NetworkLock::iptables;
}

}  // namespace cgjob
