// parse_status_mask: the signal masks of /proc/PID/status, which decide
// which signalled processes cgkill watches after the thaw (signaller.cpp).

#include <catch2/catch.hpp>

#include <csignal>

#include "lib/parse/proc_status.h"

using namespace cgjob;

namespace {

const char* k_status =
    "Name:\tdash\n"
    "State:\tS (sleeping)\n"
    "SigQ:\t1/63394\n"
    "SigPnd:\t0000000000000000\n"
    "ShdPnd:\t0000000000004000\n"
    "SigBlk:\tfffffffe7ffbfeff\n"
    "SigIgn:\t0000000000000006\n";

}  // namespace

TEST_CASE("status masks: the hex mask after the key", "[task][status]") {
  auto blocked = parse_status_mask(k_status, "SigBlk:");
  REQUIRE(blocked.ok());
  CHECK(*blocked == 0xfffffffe7ffbfeffULL);
  auto shared = parse_status_mask(k_status, "ShdPnd:");
  REQUIRE(shared.ok());
  CHECK((*shared >> (SIGTERM - 1) & 1) == 1);
}

TEST_CASE("status masks: a missing key or a garbled mask is an error", "[task][status]") {
  CHECK_FALSE(parse_status_mask(k_status, "SigCgt:").ok());
  CHECK_FALSE(parse_status_mask("SigBlk:\t00zz\n", "SigBlk:").ok());
  CHECK_FALSE(parse_status_mask("SigBlk:\t\n", "SigBlk:").ok());
  CHECK_FALSE(parse_status_mask("SigBlk:\t00000000000000000\n", "SigBlk:").ok());  // 17 digits
  CHECK_FALSE(parse_status_mask("", "SigBlk:").ok());
}
