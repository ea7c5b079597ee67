// Real-kernel tests: skipped (exit 77) with the reason on stderr when they
// cannot run; under CGJOB_TEST_STRICT=1 (CI) that is a failure (exit 1)
// instead, as for the shell tests (tests/support/skip.sh). A machine that
// mounts the hierarchy under test but where discovery fails is a regression,
// not a reason to skip: that fails.
//
// A test case that applies to one hierarchy only is tagged [v1] or [v2] and
// is left out on the other, by name on stderr: Catch2 2 has no SKIP, and a
// case that returned early would pass having checked nothing. Every case
// that runs must assert something (--warn NoAssertions, always on here).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lib/cgroup/hierarchy.h"

namespace {

// Whether /proc/self/mountinfo lists the hierarchy, read here without the
// library so that a bug in discovery cannot hide itself.
bool mountinfo_lists(bool v1) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream tail(line.substr(dash + 3));
    std::string fstype, source, options;
    tail >> fstype >> source >> options;
    if (!v1 && fstype == "cgroup2") return true;
    if (v1 && fstype == "cgroup" && ("," + options + ",").find(",freezer,") != std::string::npos) return true;
  }
  return false;
}

/// Ends the run as skipped (77), or as failed (1) under CGJOB_TEST_STRICT=1.
int skip(const std::string& reason) {
  const char* strict = std::getenv("CGJOB_TEST_STRICT");
  if (strict && std::string(strict) == "1") {
    std::fprintf(stderr, "FAIL: would skip, but CGJOB_TEST_STRICT=1: %s\n", reason.c_str());
    return 1;
  }
  std::fprintf(stderr, "SKIP: %s\n", reason.c_str());
  return 77;
}

/// Adds "not tagged [tag]" to every test spec of the command line: Catch2
/// ANDs the patterns of one spec and ORs the specs, which commas separate, so
/// the exclusion opens the first and follows each unescaped comma.
void exclude_tag(std::vector<std::string>& specs, const std::string& tag) {
  const std::string exclusion = "~[" + tag + "]";
  for (auto& spec : specs) {
    std::string out;
    for (std::size_t i = 0; i < spec.size(); ++i) {
      out += spec[i];
      if (spec[i] == '\\' && i + 1 < spec.size()) out += spec[++i];
      else if (spec[i] == ',') out += exclusion + " ";
    }
    spec = out;
  }
  specs.insert(specs.begin(), exclusion);
}

}  // namespace

int main(int argc, char** argv) {
  if (::geteuid() != 0) return skip("the real-kernel tests need root to create cgroups");
  const char* h = std::getenv("CGJOB_TEST_HIERARCHY");
  const bool v1 = h && std::string(h) == "v1";
  cgjob::LayoutRequest request;
  request.choice = v1 ? cgjob::HierarchyChoice::v1 : cgjob::HierarchyChoice::v2;
  auto layout = cgjob::discover_layout(cgjob::real_sys_io(), request);
  if (!layout) {
    if (mountinfo_lists(v1)) {
      std::fprintf(stderr, "FAIL: /proc/self/mountinfo lists the %s freezer hierarchy, but discovery failed: %s\n",
                   v1 ? "v1" : "v2", layout.error().message().c_str());
      return 1;
    }
    return skip(layout.error().message());
  }
  Catch::Session session;
  if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  auto& config = session.configData();
  config.warnings = static_cast<Catch::WarnAbout::What>(config.warnings | Catch::WarnAbout::NoAssertions);
  const std::string other = v1 ? "v2" : "v1";
  exclude_tag(config.testsOrTags, other);
  for (const auto& test : Catch::getRegistryHub().getTestCaseRegistry().getAllTests()) {
    for (const auto& tag : test.tags) {
      if (tag == other) {
        std::fprintf(stderr, "not on %s (tagged [%s]): %s\n", v1 ? "v1" : "v2", other.c_str(), test.name.c_str());
      }
    }
  }
  return session.run();
}
