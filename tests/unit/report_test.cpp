// Error messages stay one line whatever they quote (issue 12's bad-input
// matrix found JOBs with a newline printed as two lines, escapes raw).

#include <catch2/catch.hpp>

#include "tools/common/report.h"

using cgjob::cli::printable;

TEST_CASE("printable passes printable ASCII and valid UTF-8 unchanged", "[report]") {
  CHECK(printable("cgfreeze: build: cannot freeze (/sys/fs/cgroup/x)") ==
        "cgfreeze: build: cannot freeze (/sys/fs/cgroup/x)");
  CHECK(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(printable("a\\b") == "a\\b");
  CHECK(printable("") == "");
}

TEST_CASE("printable escapes what would break the line or drive the terminal", "[report]") {
  CHECK(printable("a\nb") == "a\\x0ab");
  CHECK(printable("a\tb\rc") == "a\\x09b\\x0dc");
  CHECK(printable("esc\x1b[31m") == "esc\\x1b[31m");
  CHECK(printable("del\x7f") == "del\\x7f");
  CHECK(printable(std::string("nul\0x", 5)) == "nul\\x00x");
  CHECK(printable("csi\xc2\x9b") == "csi\\xc2\\x9b");  // U+009B, a C1 control
  CHECK(printable("\\x41") == "\\x5cx41");             // a literal backslash-x is told apart
}

TEST_CASE("printable escapes each byte that is no valid UTF-8", "[report]") {
  CHECK(printable("\xff\xfe") == "\\xff\\xfe");
  CHECK(printable("a\xc3") == "a\\xc3");                   // cut short
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");            // overlong '/'
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");   // a surrogate
  CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  CHECK(printable("\xe2\x82x") == "\\xe2\\x82x");
}
