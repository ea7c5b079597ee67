// Signal specs (tools/common/signals.*): -s/-n values, -l arguments, and the
// kill(1)-style "-9"/"-KILL" rewriting of a whole command line.
#include <csignal>
#include <string>
#include <vector>

#include "lib/base/text.h"
#include "tests/fuzz/fuzz_check.h"
#include "tools/common/signals.h"

using namespace cgjob::cli;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = as_text(data, size);
  auto sig = parse_signal(text);
  if (sig) {
    FUZZ_CHECK(*sig >= 0 && *sig <= SIGRTMAX);
    auto name = signal_name(*sig);
    if (!name.empty()) {
      auto again = parse_signal(name);
      FUZZ_CHECK(again && *again == *sig);
    }
  }
  auto number = parse_signal_number(text);
  if (number) FUZZ_CHECK(*number >= 0 && *number <= SIGRTMAX);
  (void)translate_signal(text);

  // The same bytes as a command line, one argument per line.
  std::vector<std::string> args;
  for (auto line : cgjob::split(text, '\n')) args.emplace_back(line);
  const std::vector<std::string_view> with_values = {"--root", "-n", "-s", "--signal", "--escalate"};
  auto rewritten = rewrite_signal_arguments(args, with_values);
  FUZZ_CHECK(rewritten.size() >= args.size());
  (void)misplaced_signal_argument(args, with_values);
  return 0;
}
