// -o/--output column lists (tools/common/columns.*, tools/cgstat/columns.*)
// and the display width of untrusted text (job names, comm) in a table.
#include <array>

#include "tests/fuzz/fuzz_check.h"
#include "tools/cgstat/columns.h"

using namespace cgjob;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = as_text(data, size);
  constexpr std::array<std::string_view, 3> names = {"JOB", "STATE", "PROCS"};
  auto picked = cli::parse_column_list(text, names);
  if (picked) {
    FUZZ_CHECK(!picked->empty());
    for (auto i : *picked) FUZZ_CHECK(i < names.size());
  }
  auto columns = cli::select_columns(text, cgstat::job_columns());
  if (columns) {
    for (const auto* c : *columns) FUZZ_CHECK(c != nullptr && !c->name.empty());
  }
  FUZZ_CHECK(cli::display_width(text) <= text.size());

  cli::TextTable table;
  table.add_column("JOB", false);
  table.add_column("N", true);
  table.add_row({std::string(text), "1"});
  (void)table.render(true);
  return 0;
}
