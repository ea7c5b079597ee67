#include <catch2/catch.hpp>

#include "tools/common/cli.h"
#include "tools/common/duration.h"

using namespace std::chrono_literals;
using cgjob::cli::parse_duration;
using cgjob::cli::parse_pid;

TEST_CASE("durations: decimal seconds with an optional unit", "[duration]") {
  CHECK(*parse_duration("0.5") == 500ms);
  CHECK(*parse_duration("30") == 30s);
  CHECK(*parse_duration("500ms") == 500ms);
  CHECK(*parse_duration("2s") == 2s);
  CHECK(*parse_duration("1m") == 60s);
  CHECK(*parse_duration("1.5h") == 5400s);
  CHECK(*parse_duration("0") == 0s);
}

TEST_CASE("durations: garbage, negatives and non-finite values are bad input", "[duration]") {
  for (const char* text : {"", "-1", "-0.5", "abc", "1x", "nan", "inf", "1..2", ".", "s", "1 s", "99999999999"}) {
    INFO(text);
    auto d = parse_duration(text);
    REQUIRE_FALSE(d);
    CHECK(d.error().bad_input);
  }
}

TEST_CASE("PIDs: 1..pid_max in decimal", "[pid]") {
  CHECK(*parse_pid("1", 32768) == 1);
  CHECK(*parse_pid("32768", 32768) == 32768);
  for (const char* text : {"0", "-1", "abc", "999999", "12a", "", " 5", "+5", "0x10"}) {
    INFO(text);
    CHECK_FALSE(parse_pid(text, 32768));
  }
}
