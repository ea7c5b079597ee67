// freezer.state, freezer.self_freezing and freezer.parent_freezing (v1), and
// cgroup.freeze with cgroup.events (v2), as the backends read them through
// Freezer::status() on the fake kernel (the parsers are in lib/parse/).
// Input: the files' contents separated by NUL bytes, after a selector byte
// (v1 or v2).
#include <string>
#include <vector>

#include "lib/freezer/freezer.h"
#include "lib/base/text.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/support/fake_sys_io.h"

using namespace cgjob;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = as_text(data, size);
  const bool v1 = take_selector(text) & 1;
  auto parts = split(text, '\0');
  parts.resize(3);
  testing::FakeSysIo io;
  const std::string job = v1 ? "/cg/freezer/cgjobs/j" : "/cg/unified/cgjobs/j";
  if (v1) {
    io.add_v1_cgroup(job);
    io.set_file(job + "/freezer.state", std::string(parts[0]));
    io.set_file(job + "/freezer.self_freezing", std::string(parts[1]));
    io.set_file(job + "/freezer.parent_freezing", std::string(parts[2]));
  } else {
    io.add_v2_cgroup(job);
    io.set_file(job + "/cgroup.freeze", std::string(parts[0]));
    io.set_file(job + "/cgroup.events", std::string(parts[1]));
  }
  if (v1 && parse_v1_state(parts[0])) {
    auto word = parts[0].ends_with('\n') ? parts[0].substr(0, parts[0].size() - 1) : parts[0];
    FUZZ_CHECK(word == "THAWED" || word == "FREEZING" || word == "FROZEN");
  }
  auto freezer = make_freezer(io, v1 ? HierarchyKind::v1 : HierarchyKind::v2);
  auto cg = Cgroup::open(io, job);
  FUZZ_CHECK(cg);
  auto st = freezer->status(*cg);
  if (st) {
    FUZZ_CHECK(st->state == FreezeState::thawed || st->state == FreezeState::freezing ||
               st->state == FreezeState::frozen);
  }
  (void)freezer->self_freezing(*cg);
  return 0;
}
