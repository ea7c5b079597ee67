// DIR/cgjob.json: what checkpoint writes, restore reads back; anything else
// is bad input (cgfreeze exits 2).

#include <catch2/catch.hpp>

#include "lib/checkpoint/checkpoint.h"
#include "lib/checkpoint/checkpoint_manifest.h"
#include "lib/checkpoint/criu.h"

using namespace cgjob;

namespace {

Manifest sample() {
  Manifest m;
  m.name = "batch/sim";
  m.hierarchy = "v2";
  m.path = "/sys/fs/cgroup/cgjobs/batch/sim";
  m.state = "FROZEN";
  m.root_pid = 100;
  m.kernel = "6.1.0-57-amd64";
  m.criu_version = "3.17.1";
  m.jobs = {{"", true, {100, 101}}, {"sub", false, {102}}, {"sub/leaf", true, {}}};
  return m;
}

std::string with(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("manifest: what is written reads back the same") {
  auto parsed = parse_manifest(render_manifest(sample()));
  REQUIRE(parsed);
  CHECK(parsed->name == "batch/sim");
  CHECK(parsed->saved_frozen());
  CHECK(parsed->root_pid == 100);
  REQUIRE(parsed->jobs.size() == 3);
  CHECK(parsed->jobs[1].relative == "sub");
  CHECK(parsed->jobs[1].pids == std::vector<pid_t>{102});
  CHECK(parsed->jobs[2].self_freezing);
}

TEST_CASE("manifest: odd characters in strings are quoted and come back") {
  Manifest m = sample();
  m.path = "/x/\"q\"\\\n\t\x01";
  auto parsed = parse_manifest(render_manifest(m));
  REQUIRE(parsed);
  CHECK(parsed->path == m.path);
}

TEST_CASE("manifest: every defect is bad input") {
  const std::string good = render_manifest(sample());
  const std::vector<std::string> bad = {
      "",
      "[]",
      "{",
      good + "x",
      with(good, "\"version\": 1", "\"version\": 2"),
      with(good, "\"version\": 1", "\"version\": \"1\""),
      with(good, "\"format\": \"cgjob-checkpoint\"", "\"format\": \"other\""),
      with(good, "\"state\": \"FROZEN\"", "\"state\": \"FREEZING\""),
      with(good, "\"hierarchy\": \"v2\"", "\"hierarchy\": \"v3\""),
      with(good, "\"root_pid\": 100", "\"root_pid\": 999"),
      with(good, "\"root_pid\": 100", "\"root_pid\": -1"),
      with(good, "\"root_pid\": 100", "\"root_pid\": 1.5"),
      with(good, "\"relative\": \"sub\"", "\"relative\": \"../up\""),
      with(good, "\"relative\": \"sub\"", "\"relative\": \"/abs\""),
      with(good, "\"relative\": \"sub\"", "\"relative\": \"other\""),  // sub/leaf before its parent
      with(good, "[102]", "[101]"),
      with(good, "\"kernel\": \"6.1.0-57-amd64\",", ""),
      with(good, "\"criu_version\": \"3.17.1\"", "\"criu_version\": \"3.17.1\", \"criu_version\": \"x\""),
  };
  for (const auto& text : bad) {
    INFO(text);
    auto parsed = parse_manifest(text);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().bad_input);
  }
}

TEST_CASE("criu: the reason is CRIU's first real error, without its source location") {
  CHECK(criu_error_line("Error (criu/util.c:642): exited, status=1\n"
                        "Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds\n"
                        "Error (criu/crtools.c:260): Could not initialize kernel features detection.\n") ==
        "vdso: Unexpected rt vDSO area bounds");
  CHECK(criu_error_line("Looks good.\n").empty());
  CHECK(criu_error_line("Error (criu/util.c:642): exited, status=1\n") == "exited, status=1");
}

TEST_CASE("restore: the action script's path must be safe for sh -c") {
  CHECK(safe_for_shell("/usr/bin/cgfreeze"));
  CHECK(safe_for_shell("/work/wt-criu/build-h/tools/cgfreeze/cgfreeze"));
  CHECK_FALSE(safe_for_shell("relative/cgfreeze"));
  CHECK_FALSE(safe_for_shell("/tmp/a b/cgfreeze"));
  CHECK_FALSE(safe_for_shell("/tmp/$(x)/cgfreeze"));
  CHECK_FALSE(safe_for_shell("/tmp/a;b"));
}
