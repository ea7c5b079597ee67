// signal_job and wait_empty on the real kernel, run once per hierarchy
// (CGJOB_TEST_HIERARCHY=v1|v2): fork loops cannot escape, each process gets
// a signal once, frozen jobs and frozen sub-jobs, nothing outside the job.
//
// Every test case works in its own uniquely named jobs, below this binary's
// own job root. A JobGuard thaws, kills (by PID, only what is inside its job)
// and removes the job when the test case ends, also when it fails.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include "lib/signal/signaller.h"
#include "lib/process/spawn.h"
#include "lib/io/task_info.h"
#include "tests/kernel/support.h"

using namespace cgjob;
using namespace cgjob::ktest;
using namespace std::chrono_literals;

namespace {

bool eventually(const std::function<bool()>& condition, Clock::duration limit = 5s) {
  auto end = Clock::now() + limit * time_scale();
  for (;;) {
    if (condition()) return true;
    if (Clock::now() >= end) return false;
    std::this_thread::sleep_for(5ms);
  }
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::size_t count(const Cgroup& cg) {
  auto n = count_processes(cg);
  REQUIRE(n.ok());
  return *n;
}

bool self_frozen(const Cgroup& cg) {
  auto self = job_root().freezer().self_freezing(cg);
  REQUIRE(self.ok());
  return *self;
}

void freeze(const Cgroup& cg) {
  const Cgroup* jobs[] = {&cg};
  auto outcome = change_freeze(job_root().freezer(), jobs, true, true, within(10s));
  REQUIRE(outcome[0].request.ok());
  REQUIRE(outcome[0].reached);
}

void thaw(const Cgroup& cg) {
  const Cgroup* jobs[] = {&cg};
  auto outcome = change_freeze(job_root().freezer(), jobs, false, false, within(10s));
  REQUIRE(outcome[0].request.ok());
}

// What /proc says of each process left in `cg` and its sub-jobs: PID,
// state, parent, and its pending, blocked and caught signals, so that a
// process never signalled (no SigPnd/ShdPnd bit of it) tells itself apart
// from one that got the signal and was slow to die.
std::string leftovers(const Cgroup& cg) {
  std::string out;
  auto subtree = open_subtree(cg);
  if (!subtree) return "(cannot list the job: " + subtree.error().reason() + ")";
  auto pids = subtree_procs(*subtree);
  if (!pids) return "(cannot list the job: " + pids.error().reason() + ")";
  for (pid_t pid : *pids) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    out += "pid " + std::to_string(pid) + ":";
    for (std::string line; std::getline(status, line);) {
      for (const char* key : {"Name:", "State:", "PPid:", "SigPnd:", "ShdPnd:", "SigBlk:", "SigIgn:", "SigCgt:"}) {
        if (line.rfind(key, 0) == 0) out += " " + line;
      }
    }
    out += "\n";
  }
  return out;
}

// Sends `sig` and waits until the job is empty, each within 10 s (scaled).
// A job not empty then is shown: what is left, and whether the job was
// frozen while it was signalled (issue 25's one escaped process).
SignalReport kill_and_wait(const Cgroup& cg, int sig) {
  auto report = signal_job(job_root().freezer(), cg, sig, within(10s), Caller{});
  REQUIRE(report.ok());
  auto left = wait_empty(job_root().freezer(), cg, report->pidfds, within(10s), Caller{});
  REQUIRE(left.ok());
  if (*left != 0) {
    UNSCOPED_INFO("signalled " << report->signalled << ", freeze_incomplete " << report->freeze_incomplete
                               << ", left:\n" << leftovers(cg));
  }
  CHECK(*left == 0);
  return std::move(*report);
}

// A job of this test case, and everything that must go when it ends.
class JobGuard {
 public:
  explicit JobGuard(const std::string& stem) : m_name(unique_job(stem)) {
    m_top = std::make_unique<Cgroup>(create(m_name));
    m_path = m_top->path();
    m_file_stem = "/tmp/cgjob-ktest-" + std::to_string(::getpid()) + "-" + m_name;
  }
  JobGuard(const JobGuard&) = delete;
  JobGuard& operator=(const JobGuard&) = delete;
  ~JobGuard() { cleanup(); }

  const Cgroup& job() const { return *m_top; }
  /// A sub-job `relative` below this job.
  Cgroup sub(const std::string& relative) { return create(m_name + "/" + relative); }
  /// A scratch file name, removed at the end.
  std::string file(const std::string& tag) {
    m_files.push_back(m_file_stem + "-" + tag);
    std::remove(m_files.back().c_str());
    return m_files.back();
  }
  /// Starts `sh -c script [arg0]` born inside `cg`.
  pid_t start(const Cgroup& cg, const std::string& script, const std::string& arg0 = "sh") {
    // Detached: stdio on /dev/null, so nothing of ours can hold the test
    // runner's pipes open (and shells do not report "Terminated" children).
    auto child = spawn_in_cgroup(cg, job_root().layout().kind, {"/bin/sh", "-c", script, arg0}, SpawnMode::detached);
    REQUIRE(child.ok());
    m_children.push_back(child->pid);
    return child->pid;
  }

 private:
  static Cgroup create(const std::string& name) {
    auto parsed = job_root().parse(name);
    REQUIRE(parsed.ok());
    auto cg = job_root().create_job(*parsed);
    REQUIRE(cg.ok());
    return std::move(*cg);
  }

  // Thaw, kill what is inside (by PID: all of it was started here), reap
  // our children, remove deepest first.
  void cleanup() {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::vector<std::string> dirs;
    if (fs::exists(m_path, ec)) {
      dirs.push_back(m_path);
      for (auto it = fs::recursive_directory_iterator(m_path, ec); it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (it->is_directory(ec)) dirs.push_back(it->path());
      }
    }
    for (const auto& d : dirs) {
      std::ofstream(d + "/cgroup.freeze") << "0";
      std::ofstream(d + "/freezer.state") << "THAWED";
    }
    for (int round = 0; round < 500; ++round) {
      bool any = false;
      for (const auto& d : dirs) {
        for (const auto& line : lines_of(d + "/cgroup.procs")) {
          pid_t pid = static_cast<pid_t>(std::stol(line));
          if (pid > 0) {
            ::kill(pid, SIGKILL);
            any = true;
          }
        }
      }
      if (!any) break;
      std::this_thread::sleep_for(10ms);
    }
    for (pid_t pid : m_children) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
      for (int i = 0; i < 200 && ::rmdir(it->c_str()) < 0 && errno == EBUSY; ++i) ::usleep(5000);
    }
    for (const auto& f : m_files) std::remove(f.c_str());
  }

  std::string m_name;
  std::string m_path;
  std::string m_file_stem;
  std::unique_ptr<Cgroup> m_top;
  std::vector<pid_t> m_children;
  std::vector<std::string> m_files;
};

// A shell that appends its PID to `file` for every `sig` it receives and
// otherwise sleeps in short naps.
std::string counting_shell(const std::string& file, int sig) {
  return "trap 'echo $$ >> " + file + "' " + std::to_string(sig) + "; while :; do sleep 0.05; done";
}

// A parent shell that starts `n` copies of the script given as its $0 and
// waits for them.
std::string parent_of(int n) {
  return "i=0; while [ $i -lt " + std::to_string(n) + " ]; do sh -c \"$0\" & i=$((i + 1)); done; wait";
}

// Children live long enough to pile up even where forks are slow (a guest).
const char* k_fork_loop = "while :; do sh -c 'sleep 30' & done";

}  // namespace

TEST_CASE("SIGKILL empties a fork-loop job, every time", "[kill][kernel]") {
  for (int round = 0; round < 5; ++round) {
    JobGuard g("forkloop");
    g.start(g.job(), k_fork_loop);
    REQUIRE(eventually([&] { return count(g.job()) >= 20; }));
    auto report = kill_and_wait(g.job(), SIGKILL);
    CHECK(report.signalled > 0);
    CHECK(count(g.job()) == 0);
    std::this_thread::sleep_for(50ms);
    CHECK(count(g.job()) == 0);  // nothing escaped to fork again
    CHECK_FALSE(self_frozen(g.job()));
  }
}

// blocked_forker, beside this binary.
std::string blocked_forker() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  REQUIRE_FALSE(ec);
  return (self.parent_path() / "blocked_forker").string();
}

// Whether `pid` blocks SIGTERM yet.
bool blocks_term(pid_t pid) {
  auto blocked = blocks_signal(job_root().io(), pid, SIGTERM);
  return blocked && *blocked;
}

TEST_CASE("a child forked while its parent blocks SIGTERM gets it too", "[kill][kernel]") {
  // The parent has SIGTERM pending and blocked when the job is thawed; it
  // forks, then unblocks it and dies. Its child was not in the job when the
  // job was signalled, and fork(2) does not pass pending signals on.
  JobGuard g("blocked-forker");
  pid_t parent = g.start(g.job(), "exec " + blocked_forker());
  REQUIRE(eventually([&] { return blocks_term(parent); }));
  auto report = kill_and_wait(g.job(), SIGTERM);
  CHECK(report.signalled == 2);  // the parent, then its child
  CHECK(report.still_blocking.empty());
  CHECK(count(g.job()) == 0);
}

// exited_leader, beside this binary.
std::string exited_leader() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  REQUIRE_FALSE(ec);
  return (self.parent_path() / "exited_leader").string();
}

TEST_CASE("SIGKILL empties a job whose process's main thread has exited", "[kill][kernel]") {
  // cgroup.kill passes such a process by (6.1 and 6.18): its other threads
  // would run on and the wait would time out.
  JobGuard g("exited-leader");
  pid_t pid = g.start(g.job(), "exec " + exited_leader());
  REQUIRE(eventually([&] {
    auto info = read_task_stat(job_root().io(), pid);
    return info && info->state == 'Z';
  }));
  REQUIRE(count(g.job()) == 1);
  auto report = kill_and_wait(g.job(), SIGKILL);
  CHECK(report.signalled == 1);
  CHECK(count(g.job()) == 0);
}

TEST_CASE("SIGTERM empties a fork-loop job and thaws it again", "[kill][kernel]") {
  JobGuard g("forkloop-term");
  g.start(g.job(), k_fork_loop);
  REQUIRE(eventually([&] { return count(g.job()) >= 20; }));
  auto report = kill_and_wait(g.job(), SIGTERM);
  CHECK_FALSE(report.used_cgroup_kill);
  CHECK(count(g.job()) == 0);
  CHECK_FALSE(self_frozen(g.job()));
}

TEST_CASE("every process with a TERM handler receives exactly one TERM", "[kill][kernel]") {
  JobGuard g("term-once");
  auto file = g.file("got");
  g.start(g.job(), parent_of(5), counting_shell(file, SIGTERM));
  auto sub = g.sub("inner");
  g.start(sub, counting_shell(file, SIGTERM));
  // 1 parent + 5 shells + their naps, and the sub-job's shell.
  REQUIRE(eventually([&] { return count(g.job()) >= 13; }));
  auto report = signal_job(job_root().freezer(), g.job(), SIGTERM, within(10s), Caller{});
  REQUIRE(report.ok());
  REQUIRE(eventually([&] { return lines_of(file).size() >= 6; }));
  std::this_thread::sleep_for(300ms);  // time for any second one to show
  auto lines = lines_of(file);
  CHECK(lines.size() == 6);
  CHECK(std::set<std::string>(lines.begin(), lines.end()).size() == 6);
  CHECK_FALSE(self_frozen(g.job()));
}

TEST_CASE("a queued real-time signal shows each process is signalled once, not twice", "[kill][kernel]") {
  // Standard signals coalesce while pending; real-time ones queue, so a
  // second delivery would run the handler twice.
  int sig = SIGRTMIN + 1;
  JobGuard g("rt-once");
  auto file = g.file("got");
  g.start(g.job(), parent_of(4), counting_shell(file, sig));
  REQUIRE(eventually([&] { return count(g.job()) >= 9; }));
  auto report = signal_job(job_root().freezer(), g.job(), sig, within(10s), Caller{});
  REQUIRE(report.ok());
  REQUIRE(eventually([&] { return lines_of(file).size() >= 4; }));
  std::this_thread::sleep_for(300ms);
  CHECK(lines_of(file).size() == 4);
}

TEST_CASE("SIGKILL empties a frozen job, which is frozen again afterwards", "[kill][kernel]") {
  JobGuard g("frozen");
  g.start(g.job(), "sleep 1000 & sleep 1000 & wait");
  REQUIRE(eventually([&] { return count(g.job()) == 3; }));
  freeze(g.job());
  kill_and_wait(g.job(), SIGKILL);
  CHECK(count(g.job()) == 0);
  CHECK(self_frozen(g.job()));
}

TEST_CASE("a handled signal to a frozen job stays pending until the thaw", "[kill][kernel]") {
  JobGuard g("frozen-term");
  auto file = g.file("got");
  g.start(g.job(), counting_shell(file, SIGTERM));
  // Its nap running means its trap is set.
  REQUIRE(eventually([&] { return count(g.job()) >= 2; }));
  freeze(g.job());
  auto report = signal_job(job_root().freezer(), g.job(), SIGTERM, within(10s), Caller{});
  REQUIRE(report.ok());
  std::this_thread::sleep_for(300ms);
  CHECK(lines_of(file).empty());
  CHECK(self_frozen(g.job()));
  thaw(g.job());
  CHECK(eventually([&] { return lines_of(file).size() == 1; }));
}

TEST_CASE("a frozen sub-job does not block SIGKILL and the wait on its parent", "[kill][kernel]") {
  JobGuard g("frozen-sub");
  auto sub = g.sub("inner");
  auto deeper = g.sub("inner/deeper");
  g.start(g.job(), "exec sleep 1000");
  g.start(sub, "exec sleep 1000");
  g.start(deeper, "exec sleep 1000");
  REQUIRE(eventually([&] { return count(g.job()) == 3; }));
  freeze(sub);  // freezes `deeper` too, from above
  auto start = Clock::now();
  kill_and_wait(g.job(), SIGKILL);
  CHECK(Clock::now() - start < 5s);
  CHECK(count(g.job()) == 0);
  CHECK_FALSE(self_frozen(g.job()));
  CHECK(self_frozen(sub));  // put back as it was
}

TEST_CASE("a process outside the job is never signalled", "[kill][kernel]") {
  JobGuard g("outside");
  auto file = g.file("outside");
  pid_t outsider = start_shell(counting_shell(file, SIGTERM));
  // Stopped when the test case ends, also on failure.
  struct Stop {
    pid_t pid;
    ~Stop() { stop_child(pid); }
  } stop{outsider};
  g.start(g.job(), "exec sleep 1000");
  REQUIRE(eventually([&] { return count(g.job()) == 1; }));
  kill_and_wait(g.job(), SIGTERM);
  g.start(g.job(), "exec sleep 1000");
  REQUIRE(eventually([&] { return count(g.job()) == 1; }));
  kill_and_wait(g.job(), SIGKILL);
  std::this_thread::sleep_for(200ms);
  CHECK(lines_of(file).empty());
  CHECK(::waitpid(outsider, nullptr, WNOHANG) == 0);  // still running
}

TEST_CASE("signalling an empty job succeeds and it is empty at once", "[kill][kernel]") {
  JobGuard g("empty");
  for (int sig : {SIGTERM, SIGKILL, SIGHUP}) {
    auto report = kill_and_wait(g.job(), sig);
    CHECK(report.signalled == 0);
  }
}

TEST_CASE("wait_empty gives up at the deadline with the count left", "[kill][kernel]") {
  JobGuard g("ignores-term");
  pid_t pid = g.start(g.job(), "trap '' TERM; exec sleep 1000");
  // Once it is sleep, TERM is ignored.
  REQUIRE(eventually([&] { return lines_of("/proc/" + std::to_string(pid) + "/comm") == std::vector<std::string>{"sleep"}; }));
  SysIo& io = real_sys_io();
  auto report = signal_job(job_root().freezer(), g.job(), SIGTERM, within(10s), Caller{});
  REQUIRE(report.ok());
  CHECK(report->signalled == 1);
  auto start = Clock::now();
  auto left = wait_empty(job_root().freezer(), g.job(), report->pidfds, Deadline::after(io, 300ms), Caller{});
  REQUIRE(left.ok());
  CHECK(*left == 1);
  CHECK(Clock::now() - start >= 290ms);
  CHECK(Clock::now() - start < 3s);
}

// Both ways of signalling on every kernel: cgroup.signal where the job has it
// (the project's patch, v2), and the freeze path, which a kernel with
// cgroup.signal takes too while Capabilities::cgroup_signal_ignored is set
// (cgkill's CGJOB_NO_CGROUP_SIGNAL). Elsewhere both runs take the freeze path.
TEST_CASE("each way of signalling delivers one TERM to every process, fork loops included", "[kill][kernel]") {
  bool ignore = GENERATE(false, true);
  struct Ignore {
    bool was = real_sys_io().capabilities().cgroup_signal_ignored;
    explicit Ignore(bool on) { real_sys_io().capabilities().cgroup_signal_ignored = on; }
    ~Ignore() { real_sys_io().capabilities().cgroup_signal_ignored = was; }
  } scope(ignore);
  INFO("cgroup.signal ignored: " << ignore);

  JobGuard g("each-way");
  auto file = g.file("got");
  g.start(g.job(), parent_of(5), counting_shell(file, SIGTERM));
  REQUIRE(eventually([&] { return count(g.job()) >= 11; }));
  bool kernel_has_it = g.job().has("cgroup.signal");
  auto report = signal_job(job_root().freezer(), g.job(), SIGTERM, within(10s), Caller{});
  REQUIRE(report.ok());
  CHECK(report->used_cgroup_signal == (kernel_has_it && !ignore));
  REQUIRE(eventually([&] { return lines_of(file).size() >= 5; }));
  std::this_thread::sleep_for(300ms);
  CHECK(lines_of(file).size() == 5);
  CHECK_FALSE(self_frozen(g.job()));

  JobGuard loop("each-way-loop");
  loop.start(loop.job(), k_fork_loop);
  REQUIRE(eventually([&] { return count(loop.job()) >= 20; }));
  auto killed = kill_and_wait(loop.job(), SIGTERM);
  CHECK(killed.used_cgroup_signal == (kernel_has_it && !ignore));
  CHECK(count(loop.job()) == 0);
  std::this_thread::sleep_for(50ms);
  CHECK(count(loop.job()) == 0);  // nothing escaped to fork again
  CHECK_FALSE(self_frozen(loop.job()));
}
