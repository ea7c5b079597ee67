// cgroup.procs, cgroup.threads and tasks (parse_pid_list in lib/cgroup/cgroup.*).
#include "lib/cgroup/cgroup.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = as_text(data, size);
  auto pids = cgjob::parse_pid_list(text);
  FUZZ_CHECK(pids.size() <= text.size());
  for (auto pid : pids) FUZZ_CHECK(pid > 0);
  return 0;
}
