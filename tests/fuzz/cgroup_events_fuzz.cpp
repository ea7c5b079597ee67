// cgroup.events and other flat keyed files (lib/parse/keyed_file.*).
#include "lib/parse/keyed_file.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = as_text(data, size);
  for (std::string_view key : {"populated", "frozen", ""}) {
    auto value = cgjob::keyed_value(text, key);
    if (value) FUZZ_CHECK(value->find('\n') == std::string_view::npos);
    (void)cgjob::keyed_number(text, key);
  }
  return 0;
}
