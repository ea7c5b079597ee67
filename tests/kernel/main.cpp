// Real-kernel tests: skipped (exit 77) with the reason when they cannot run.
// A machine that mounts the hierarchy under test but where discovery fails is
// a regression, not a reason to skip: that fails.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "kernel/hierarchy.h"

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

}  // namespace

int main(int argc, char** argv) {
  if (::geteuid() != 0) {
    std::puts("SKIP: the real-kernel tests need root to create cgroups");
    return 77;
  }
  const char* h = std::getenv("CGJOB_TEST_HIERARCHY");
  const bool v1 = h && std::string(h) == "v1";
  cgjob::LayoutRequest request;
  request.choice = v1 ? cgjob::HierarchyChoice::v1 : cgjob::HierarchyChoice::v2;
  auto layout = cgjob::discover_layout(cgjob::real_sys_io(), request);
  if (!layout) {
    if (mountinfo_lists(v1)) {
      std::printf("FAIL: /proc/self/mountinfo lists the %s freezer hierarchy, but discovery failed: %s\n",
                  v1 ? "v1" : "v2", layout.error().message().c_str());
      return 1;
    }
    std::printf("SKIP: %s\n", layout.error().message().c_str());
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
