// The parse layer's keyed-file parser and freezer.state parser: a missing
// key and a garbled state are errors, never a default.
#include <catch2/catch.hpp>

#include <cerrno>

#include "lib/freezer/freezer.h"
#include "lib/parse/freezer_words.h"
#include "lib/parse/keyed_file.h"
#include "tests/support/fake_sys_io.h"

using namespace cgjob;

TEST_CASE("keyed_value finds a key's value on its own line", "[parse][keyed]") {
  const std::string_view events = "populated 1\nfrozen 0\n";
  auto populated = keyed_value(events, "populated");
  REQUIRE(populated);
  CHECK(*populated == "1");
  auto frozen = keyed_number(events, "frozen");
  REQUIRE(frozen);
  CHECK(*frozen == 0);
  // A key is a whole word at the start of a line.
  auto holder = keyed_value("placeholder 7\nholder 42@99\npath /a b\n", "holder");
  REQUIRE(holder);
  CHECK(*holder == "42@99");
  CHECK(*keyed_value("path /a b", "path") == "/a b");
  CHECK(keyed_value("hold \n", "hold").value().empty());
}

TEST_CASE("a missing key is an error, ENXIO, naming the key and the file", "[parse][keyed]") {
  for (std::string_view text : {"", "populated 1\n", "frozen\n", "frozen1\n", "xfrozen 1\n"}) {
    INFO(text);
    auto frozen = keyed_number(text, "frozen", "/cg/j/cgroup.events");
    REQUIRE_FALSE(frozen);
    CHECK(frozen.error().errnum == ENXIO);
    CHECK(frozen.error().message() == "/cg/j/cgroup.events: no \"frozen\" key");
  }
}

TEST_CASE("a keyed number that is not a number is an error, EINVAL", "[parse][keyed]") {
  for (std::string_view text : {"frozen \n", "frozen x\n", "frozen 1x\n", "frozen 1 \n", "frozen  1\n"}) {
    INFO(text);
    auto frozen = keyed_number(text, "frozen");
    REQUIRE_FALSE(frozen);
    CHECK(frozen.error().errnum == EINVAL);
  }
  CHECK(keyed_number("frozen -1", "frozen").value() == -1);
}

TEST_CASE("freezer.state takes the three words alone, with or without the newline", "[parse][freezer]") {
  CHECK(parse_v1_state("THAWED\n").value() == FreezeState::thawed);
  CHECK(parse_v1_state("FREEZING\n").value() == FreezeState::freezing);
  CHECK(parse_v1_state("FROZEN").value() == FreezeState::frozen);
  for (std::string_view text : {"", "\n", "frozen\n", "FROZEN \n", "FROZEN\n\n", "FROZENX\n", "THAWED FROZEN\n",
                                "garbage"}) {
    INFO(text);
    auto state = parse_v1_state(text, "/cg/j/freezer.state");
    REQUIRE_FALSE(state);
    CHECK(state.error().errnum == EINVAL);
    CHECK(state.error().path == "/cg/j/freezer.state");
  }
}

namespace {

// status() of a job whose freezer file `file` holds `content`.
Error status_error(HierarchyKind kind, const std::string& job, const std::string& file, const std::string& content) {
  testing::FakeSysIo io;
  if (kind == HierarchyKind::v1) io.add_v1_cgroup(job);
  else io.add_v2_cgroup(job);
  io.set_file(job + "/" + file, content);
  auto cg = Cgroup::open(io, job);
  REQUIRE(cg);
  auto st = make_freezer(io, kind)->status(*cg);
  REQUIRE_FALSE(st);
  return st.error();
}

}  // namespace

TEST_CASE("a backend reports a garbled freezer file instead of calling it thawed", "[parse][freezer]") {
  auto v1 = status_error(HierarchyKind::v1, "/cg/freezer/cgjobs/j", "freezer.state", "THAW\n");
  CHECK(v1.errnum == EINVAL);
  CHECK(v1.path == "/cg/freezer/cgjobs/j/freezer.state");
  auto v2 = status_error(HierarchyKind::v2, "/cg/unified/cgjobs/j", "cgroup.events", "populated 1\n");
  CHECK(v2.errnum == ENXIO);
  CHECK(v2.path == "/cg/unified/cgjobs/j/cgroup.events");
}
