// /proc/PID/stat (lib/parse/proc_stat.*): a comm may hold spaces, parentheses
// and newlines, and the task may be gone half way through the read.
#include "lib/io/task_info.h"
#include "lib/parse/proc_stat.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = as_text(data, size);
  auto info = cgjob::parse_proc_stat(text, 4242);
  if (info) {
    FUZZ_CHECK(info->pid == 4242);
    FUZZ_CHECK(info->comm.size() + 4 <= text.size());
    (void)cgjob::is_kernel_thread(*info);
  } else {
    FUZZ_CHECK(!info.error().message().empty());
  }
  return 0;
}
