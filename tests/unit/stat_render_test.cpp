// cgstat's column table, table view and JSON document, and how it gathers
// rows from the (fake) job root: the output a script relies on.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/fake_sys_io.h"
#include "tools/cgstat/gather.h"
#include "tools/cgstat/render.h"

using namespace cgjob;
using namespace cgjob::testing;
using namespace cgjob::cgstat;
using cli::ExitStatus;

namespace {

const std::string k_mount = "/cg/unified";
const std::string k_root = "/cg/unified/cgjobs";

JobRow row(std::string name, FreezeState state, std::vector<pid_t> pids, bool self = false, bool parent = false) {
  JobRow r;
  r.path = k_root + "/" + name;
  r.name = std::move(name);
  r.status.state = state;
  r.status.self_freezing = self;
  r.status.parent_freezing = parent;
  r.status.populated = !pids.empty();
  r.status.pids = std::move(pids);
  return r;
}

std::vector<const JobColumn*> columns(std::string_view list) {
  auto picked = cli::select_columns(list, job_columns());
  REQUIRE(picked);
  return *picked;
}

struct Fixture {
  FakeSysIo io;
  JobRoot root{io, Layout{HierarchyKind::v2, k_mount, k_root}};
  cli::Reporter reporter{"cgstat"};
  Fixture() {
    reporter.set_quiet(true);
    io.add_v2_cgroup(k_mount);
    io.remove(k_mount + "/cgroup.freeze");
    io.add_v2_cgroup(k_root);
  }
  std::vector<JobName> names(std::vector<std::string> texts) {
    std::vector<JobName> out;
    for (const auto& t : texts) {
      auto n = root.parse(t);
      REQUIRE(n);
      out.push_back(*n);
    }
    return out;
  }
  std::vector<std::string> gathered(const std::vector<JobRow>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.name);
    return out;
  }
};

}  // namespace

TEST_CASE("columns: -o is case-insensitive and keeps the order given", "[stat][columns]") {
  auto picked = columns("state,Job,PROCS,path");
  REQUIRE(picked.size() == 4);
  CHECK(picked[0]->name == "STATE");
  CHECK(picked[1]->name == "JOB");
  CHECK(picked[2]->name == "PROCS");
  CHECK(picked[3]->name == "PATH");
}

TEST_CASE("columns: an unknown or empty column is bad input naming it", "[stat][columns]") {
  auto unknown = cli::select_columns(std::string_view("JOB,NOPE"), job_columns());
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().bad_input);
  CHECK_THAT(unknown.error().reason(), Catch::Contains("'NOPE'"));
  auto empty = cli::select_columns(std::string_view("JOB,,STATE"), job_columns());
  REQUIRE_FALSE(empty);
  CHECK(empty.error().bad_input);
}

TEST_CASE("columns: the table lists cgstat(1)'s columns with snake_case JSON keys", "[stat][columns]") {
  std::vector<std::string> names, keys;
  for (const auto& c : job_columns()) {
    names.emplace_back(c.name);
    keys.emplace_back(c.json_key);
    CHECK_FALSE(c.help.empty());
  }
  CHECK(names == std::vector<std::string>{"JOB", "STATE", "PROCS", "SELF", "PARENT", "POPULATED", "PATH", "HIDDEN", "HELD"});
  CHECK(keys == std::vector<std::string>{"name", "state", "nprocs", "self_freezing", "parent_freezing", "populated",
                                         "path", "hidden_procs", "held_by_dead_run"});
  CHECK_THAT(columns_help(), Catch::Contains("POPULATED"));
}

TEST_CASE("table: aligned like util-linux, numbers right-aligned, no trailing blanks", "[stat][table]") {
  std::vector<JobRow> rows{row("build", FreezeState::frozen, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}),
                           row("batch/42", FreezeState::freezing, {7}, false, true)};
  auto cols = columns(k_default_columns);
  CHECK(render_table(rows, cols, true, false) ==
        "JOB       STATE     PROCS\n"
        "build     FROZEN       12\n"
        "batch/42  FREEZING      1\n");
  CHECK(render_table(rows, cols, false, false) ==
        "build     FROZEN       12\n"
        "batch/42  FREEZING      1\n");
  CHECK(render_table(rows, columns("SELF,PARENT,JOB"), true, false) ==
        "SELF  PARENT  JOB\n"
        "   0       0  build\n"
        "   0       1  batch/42\n");
}

TEST_CASE("table: no jobs, no output (not even the heading)", "[stat][table]") {
  CHECK(render_table({}, columns(k_default_columns), true, false).empty());
}

TEST_CASE("table --procs: each job followed by its processes, indented and aligned", "[stat][table]") {
  std::vector<JobRow> rows{row("a", FreezeState::freezing, {5, 1234}), row("b", FreezeState::thawed, {})};
  rows[0].procs = {TaskInfo{5, 1, "sh", 'S', 0, "do_wait"}, TaskInfo{1234, 5, "spin loop", 'R', 0, ""}};
  CHECK(render_table(rows, columns("JOB,STATE"), true, true) ==
        "JOB  STATE\n"
        "a    FREEZING\n"
        "     5  sh         S  do_wait\n"
        "  1234  spin loop  R  -\n"
        "b    THAWED\n");
}

TEST_CASE("json: cgstat(1)'s schema with numbers as numbers and booleans as booleans", "[stat][json]") {
  std::vector<JobRow> rows{row("build", FreezeState::frozen, {4242, 4243}, true, false)};
  Layout layout{HierarchyKind::v2, k_mount, k_root};
  auto text = render_json(layout, rows, false);
  CHECK(text.back() == '\n');
  auto doc = nlohmann::json::parse(text);
  CHECK(doc["hierarchy"] == "v2");
  CHECK(doc["mount"] == k_mount);
  CHECK(doc["root"] == k_root);
  REQUIRE(doc["jobs"].is_array());
  REQUIRE(doc["jobs"].size() == 1);
  const auto& job = doc["jobs"][0];
  CHECK(job["name"] == "build");
  CHECK(job["path"] == k_root + "/build");
  CHECK(job["state"] == "FROZEN");
  CHECK(job["self_freezing"].is_boolean());
  CHECK(job["self_freezing"] == true);
  CHECK(job["parent_freezing"] == false);
  CHECK(job["populated"] == true);
  CHECK(job["nprocs"].is_number_integer());
  CHECK(job["nprocs"] == 2);
  CHECK(job["pids"] == nlohmann::json::array({4242, 4243}));
  CHECK_FALSE(job.contains("procs"));

  auto empty = nlohmann::json::parse(render_json(layout, {}, false));
  CHECK(empty["jobs"] == nlohmann::json::array());
}

TEST_CASE("json --procs: pid, comm, state and wchan per process", "[stat][json]") {
  std::vector<JobRow> rows{row("a", FreezeState::freezing, {5})};
  rows[0].procs = {TaskInfo{5, 1, "sh", 'D', 0, "fuse_wait"}};
  auto doc = nlohmann::json::parse(render_json(Layout{HierarchyKind::v1, "/m", "/m/r"}, rows, true));
  CHECK(doc["hierarchy"] == "v1");
  const auto& p = doc["jobs"][0]["procs"][0];
  CHECK(p["pid"] == 5);
  CHECK(p["comm"] == "sh");
  CHECK(p["state"] == "D");
  CHECK(p["wchan"] == "fuse_wait");
}

TEST_CASE("json stays valid for any name, path or command name", "[stat][json]") {
  // Absolute JOBs may hold any byte; comm is cut at 15 bytes, maybe inside a
  // UTF-8 sequence.
  std::vector<JobRow> rows{row("quote\"back\\slash", FreezeState::thawed, {1}),
                           row("/system.slice/tab\there\x01", FreezeState::thawed, {}),
                           row("caf\xc3\xa9", FreezeState::thawed, {})};
  rows[2].path = "/cg/bad\xff\xfe";
  rows[0].procs = {TaskInfo{1, 0, "cut\xe2\x82", 'S', 0, ""}};
  auto text = render_json(Layout{HierarchyKind::v2, k_mount, k_root}, rows, true);
  nlohmann::json doc;
  REQUIRE_NOTHROW(doc = nlohmann::json::parse(text));
  CHECK(doc["jobs"][0]["name"] == "quote\"back\\slash");
  CHECK(doc["jobs"][1]["name"] == "/system.slice/tab\there\x01");
  CHECK(doc["jobs"][2]["name"] == "caf\xc3\xa9");
  CHECK(doc["jobs"][2]["path"] == "/cg/bad\xef\xbf\xbd\xef\xbf\xbd");  // U+FFFD twice
}

TEST_CASE("gather: no JOB lists every job, parents first; an absent root has none", "[stat][gather]") {
  Fixture f;
  for (const auto* name : {"b", "a", "a/x", "a/x/y"}) f.io.add_v2_cgroup(k_root + "/" + name);
  ExitStatus status = ExitStatus::ok;
  auto rows = gather(f.root, {}, {}, f.reporter, status);
  CHECK(status == ExitStatus::ok);
  CHECK(f.gathered(rows) == std::vector<std::string>{"a", "a/x", "a/x/y", "b"});
  CHECK(rows[1].path == k_root + "/a/x");

  f.io.remove(k_root);
  rows = gather(f.root, {}, {}, f.reporter, status);
  CHECK(status == ExitStatus::ok);
  CHECK(rows.empty());
}

TEST_CASE("gather: a missing JOB is 3 and the others are still listed", "[stat][gather]") {
  Fixture f;
  f.io.add_v2_cgroup(k_root + "/a");
  f.io.add_v2_cgroup(k_root + "/c");
  ExitStatus status = ExitStatus::ok;
  auto rows = gather(f.root, f.names({"a", "nosuch", "c"}), {}, f.reporter, status);
  CHECK(status == ExitStatus::no_such_job);
  CHECK(f.gathered(rows) == std::vector<std::string>{"a", "c"});
}

TEST_CASE("gather -r: sub-jobs named after the JOB as given; a job met twice is listed once", "[stat][gather]") {
  Fixture f;
  for (const auto* name : {"a", "a/x", "a/x/y", "b"}) f.io.add_v2_cgroup(k_root + "/" + name);
  ExitStatus status = ExitStatus::ok;
  GatherOptions recursive{true, false};
  auto rows = gather(f.root, f.names({"a/", "a/x", "b"}), recursive, f.reporter, status);
  CHECK(status == ExitStatus::ok);
  CHECK(f.gathered(rows) == std::vector<std::string>{"a", "a/x", "a/x/y", "b"});

  rows = gather(f.root, f.names({k_root + "/a"}), recursive, f.reporter, status);
  CHECK(f.gathered(rows) == std::vector<std::string>{k_root + "/a", k_root + "/a/x", k_root + "/a/x/y"});

  rows = gather(f.root, f.names({"a"}), {}, f.reporter, status);
  CHECK(f.gathered(rows) == std::vector<std::string>{"a"});
}

TEST_CASE("gather --procs: what /proc says, processes gone meanwhile left out", "[stat][gather]") {
  Fixture f;
  f.io.add_v2_cgroup(k_root + "/a");
  f.io.set_file(k_root + "/a/cgroup.procs", "10\n11\n");
  f.io.set_file("/proc/10/stat", "10 (my (odd) cmd) S 1 10 10 0 -1 4194560 0 0 0 0");
  f.io.set_file("/proc/10/wchan", "do_wait");
  ExitStatus status = ExitStatus::ok;
  GatherOptions procs{false, true};
  auto rows = gather(f.root, f.names({"a"}), procs, f.reporter, status);
  CHECK(status == ExitStatus::ok);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].status.pids.size() == 2);
  REQUIRE(rows[0].procs.size() == 1);
  CHECK(rows[0].procs[0].pid == 10);
  CHECK(rows[0].procs[0].comm == "my (odd) cmd");
  CHECK(rows[0].procs[0].state == 'S');
  CHECK(rows[0].procs[0].wchan == "do_wait");
}

TEST_CASE("job_names: every job below the root, for completions", "[stat][gather]") {
  Fixture f;
  for (const auto* name : {"b", "a", "a/x"}) f.io.add_v2_cgroup(k_root + "/" + name);
  auto names = job_names(f.root);
  REQUIRE(names);
  CHECK(*names == std::vector<std::string>{"a", "a/x", "b"});
  f.io.remove(k_root);
  names = job_names(f.root);
  REQUIRE(names);
  CHECK(names->empty());
}
