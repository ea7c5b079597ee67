// --timeout and --escalate values (tools/common/duration.*).
#include "tests/fuzz/fuzz_check.h"
#include "tools/common/duration.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace std::chrono_literals;
  auto d = cgjob::cli::parse_duration(as_text(data, size));
  if (d) {
    FUZZ_CHECK(*d >= 0ns);
    FUZZ_CHECK(*d <= std::chrono::hours(24 * 366));
  }
  return 0;
}
