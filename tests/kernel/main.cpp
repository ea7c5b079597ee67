// Real-kernel tests: skipped (exit 77) with the reason when they cannot run.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdio>

#include "kernel/hierarchy.h"

int main(int argc, char** argv) {
  if (::geteuid() != 0) {
    std::puts("SKIP: the real-kernel tests need root to create cgroups");
    return 77;
  }
  const char* h = std::getenv("CGJOB_TEST_HIERARCHY");
  cgjob::LayoutRequest request;
  request.choice = h && std::string(h) == "v1" ? cgjob::HierarchyChoice::v1 : cgjob::HierarchyChoice::v2;
  auto layout = cgjob::discover_layout(cgjob::real_sys_io(), request);
  if (!layout) {
    std::printf("SKIP: %s\n", layout.error().message().c_str());
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
