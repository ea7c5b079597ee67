// PID namespaces and the child's world, through the fake kernel: PID 2 and
// its children are ordinary processes inside a namespace; processes outside
// it (0 in cgroup.procs) are counted, not dropped; and which signals `run`
// passes on to its child.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <signal.h>

#include "lib/job/job_status.h"
#include "lib/process/supervise.h"
#include "lib/io/task_info.h"
#include "tests/support/fake_sys_io.h"
#include "tools/cgfreeze/commands.h"
#include "tools/cgstat/gather.h"
#include "tools/cgstat/render.h"

using namespace cgjob;
using namespace cgjob::testing;

namespace {

const std::string k_mount = "/cg/freezer";
const std::string k_root = "/cg/freezer/cgjobs";
const std::string k_job = "/cg/freezer/cgjobs/build";
constexpr unsigned long k_pf_kthread = 0x00200000;

struct Fixture {
  FakeSysIo io;
  JobRoot root{io, Layout{HierarchyKind::v1, k_mount, k_root}};
  cli::Reporter reporter{"cgfreeze"};
  cgfreeze::Context ctx{root, reporter};
  Fixture() {
    reporter.set_quiet(true);
    io.add_v1_cgroup(k_mount);
    io.add_v1_cgroup(k_root);
  }
  void add_task(pid_t pid, unsigned long flags, pid_t ppid) {
    io.add_process(pid);
    io.set_file("/proc/" + std::to_string(pid) + "/stat",
                std::to_string(pid) + " (app) S " + std::to_string(ppid) + " 1 1 0 -1 " + std::to_string(flags) +
                    " 0 0 0 0");
  }
};

signalfd_siginfo siginfo(int signo, int code) {
  signalfd_siginfo info{};
  info.ssi_signo = static_cast<std::uint32_t>(signo);
  info.ssi_code = code;
  return info;
}

}  // namespace

TEST_CASE("kernel threads are known by PF_KTHREAD alone, not by PID 2 or parent 2", "[pidns]") {
  TaskInfo container_child;
  container_child.pid = 2;
  container_child.ppid = 1;
  CHECK_FALSE(is_kernel_thread(container_child));
  TaskInfo grandchild;
  grandchild.pid = 7;
  grandchild.ppid = 2;
  CHECK_FALSE(is_kernel_thread(grandchild));
  TaskInfo worker;
  worker.pid = 77;
  worker.ppid = 2;
  worker.flags = 0x04208040;
  CHECK(is_kernel_thread(worker));
}

TEST_CASE("add: a container init's children (PID 2, parent 2) are moved; kernel threads are not", "[pidns]") {
  Fixture f;
  f.io.add_v1_cgroup(k_job);
  f.add_task(2, 0x00400100, 1);  // the first child of the namespace's init
  f.add_task(3, 0x00400100, 2);  // its child
  f.add_task(77, 0x00208040 | k_pf_kthread, 2);
  CHECK(cgfreeze::add(f.ctx, cgfreeze::AddOptions{"build", {"2", "3", "77"}, false}) == cli::ExitStatus::usage);
  CHECK(f.io.write_log() == std::vector<std::string>{k_job + "/cgroup.procs=2", k_job + "/cgroup.procs=3"});
}

TEST_CASE("0 entries of cgroup.procs are counted as hidden processes, not as PIDs", "[pidns]") {
  CHECK(count_zero_ids("0\n0\n") == 2);
  CHECK(count_zero_ids("10\n0\n20\n100\n") == 1);
  CHECK(count_zero_ids("") == 0);
  CHECK(count_zero_ids("10\n20\n") == 0);
  CHECK(parse_pid_list("10\n0\n20\n") == std::vector<pid_t>{10, 20});
}

TEST_CASE("job status: hidden_procs from the 0 entries, on v1 and v2; v1 populated counts them", "[pidns]") {
  FakeSysIo io;
  SECTION("v1") {
    io.add_v1_cgroup(k_job);
    io.set_file(k_job + "/cgroup.procs", "0\n0\n");
    StatusReader reader(io, HierarchyKind::v1, k_mount);
    auto cg = Cgroup::open(io, k_job);
    REQUIRE(cg);
    JobStatus st;
    REQUIRE(reader.read(cg->dir(), false, st));
    CHECK(st.pids.empty());
    CHECK(st.hidden_procs == 2);
    CHECK(st.populated);
  }
  SECTION("v2") {
    const std::string job = "/cg/unified/cgjobs/build";
    io.add_v2_cgroup(job);
    io.set_file(job + "/cgroup.procs", "42\n0\n");
    io.set_file(job + "/cgroup.events", "populated 1\nfrozen 0\n");
    StatusReader reader(io, HierarchyKind::v2, "/cg/unified");
    auto cg = Cgroup::open(io, job);
    REQUIRE(cg);
    JobStatus st;
    REQUIRE(reader.read(cg->dir(), false, st));
    CHECK(st.pids == std::vector<pid_t>{42});
    CHECK(st.hidden_procs == 1);
  }
}

TEST_CASE("cgstat: the HIDDEN column and the hidden_procs key", "[pidns]") {
  Fixture f;
  f.io.add_v1_cgroup(k_job);
  f.io.set_file(k_job + "/cgroup.procs", "10\n0\n0\n");
  auto name = f.root.parse("build");
  REQUIRE(name);
  cli::Reporter reporter{"cgstat"};
  reporter.set_quiet(true);
  cli::ExitStatus status = cli::ExitStatus::ok;
  auto rows = cgstat::gather(f.root, {*name}, cgstat::GatherOptions{}, reporter, status);
  REQUIRE(rows.size() == 1);
  auto doc = nlohmann::json::parse(cgstat::render_json(f.root.layout(), rows, false));
  CHECK(doc["jobs"][0]["hidden_procs"] == 2);
  CHECK(doc["jobs"][0]["nprocs"] == 1);
  auto picked = cli::select_columns("JOB,PROCS,HIDDEN", cgstat::job_columns());
  REQUIRE(picked);
  CHECK(cgstat::render_table(rows, *picked, false, false) == "build      1       2\n");
}

TEST_CASE("rm: a job busy with processes of another namespace is refused; they are counted", "[pidns]") {
  Fixture f;
  f.io.add_v1_cgroup(k_job);
  f.io.add_v1_cgroup(k_job + "/sub");
  f.io.set_file(k_job + "/sub/cgroup.procs", "0\n");
  f.io.fail("rmdir", k_job + "/sub", EBUSY, 100000);
  CHECK(cgfreeze::remove(f.ctx, cgfreeze::RemoveOptions{{"build"}, false, ""}) == cli::ExitStatus::failed);
  CHECK(f.io.exists(k_job + "/sub"));
  auto cg = Cgroup::open(f.io, k_job);
  REQUIRE(cg);
  auto hidden = subtree_hidden_procs(*cg);
  REQUIRE(hidden);
  CHECK(*hidden == 1);
}

TEST_CASE("run passes on signals sent to it, not those the terminal sent to the whole group", "[pidns][run]") {
  CHECK_FALSE(should_forward(siginfo(SIGINT, SI_KERNEL), true));  // Ctrl-C: the child has it already
  CHECK(should_forward(siginfo(SIGINT, SI_KERNEL), false));       // the child left our group
  CHECK(should_forward(siginfo(SIGINT, SI_USER), true));          // kill(1)
  CHECK(should_forward(siginfo(SIGTERM, SI_QUEUE), true));        // sigqueue(3)
}
