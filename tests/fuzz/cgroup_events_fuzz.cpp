// cgroup.events and other flat keyed files (lib/parse/event_file.*).
#include "lib/parse/event_file.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = as_text(data, size);
  for (std::string_view key : {"populated", "frozen", ""}) (void)cgjob::event_value(text, key);
  return 0;
}
