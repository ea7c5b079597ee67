// Signal spelling as kill(1) takes it, the -l table and translation, and the
// rewriting of "-9"/"-KILL" before the option parser sees them.

#include <catch2/catch.hpp>

#include <csignal>

#include "tools/common/signals.h"

using namespace cgjob;
using namespace cgjob::cli;

namespace {

int parsed(std::string_view text) {
  auto sig = parse_signal(text);
  REQUIRE(sig.ok());
  return *sig;
}

bool refused(std::string_view text) {
  auto sig = parse_signal(text);
  return !sig.ok() && sig.error().bad_input;
}

using Args = std::vector<std::string>;
const std::vector<std::string_view> k_with_values = {"--root", "--timeout", "-s", "--signal", "-n"};

}  // namespace

TEST_CASE("signal names: with or without SIG, any case", "[signals]") {
  CHECK(parsed("TERM") == SIGTERM);
  CHECK(parsed("SIGTERM") == SIGTERM);
  CHECK(parsed("term") == SIGTERM);
  CHECK(parsed("sigkill") == SIGKILL);
  CHECK(parsed("Kill") == SIGKILL);
  CHECK(parsed("hup") == SIGHUP);
  CHECK(parsed("USR1") == SIGUSR1);
  CHECK(parsed("STKFLT") == 16);
  CHECK(parsed("POLL") == SIGPOLL);
  CHECK(parsed("sys") == SIGSYS);
}

TEST_CASE("signal aliases that kill(1) accepts", "[signals]") {
  CHECK(parsed("IOT") == SIGABRT);
  CHECK(parsed("CLD") == SIGCHLD);
  CHECK(parsed("SIGIO") == SIGIO);
  CHECK(signal_name(SIGABRT) == "ABRT");
  CHECK(signal_name(SIGCHLD) == "CHLD");
}

TEST_CASE("signal numbers: 0 to 31 and the real-time range", "[signals]") {
  CHECK(parsed("0") == 0);
  CHECK(parsed("9") == SIGKILL);
  CHECK(parsed("15") == SIGTERM);
  CHECK(parsed("31") == 31);
  CHECK(parsed(std::to_string(SIGRTMIN)) == SIGRTMIN);
  CHECK(parsed(std::to_string(SIGRTMAX)) == SIGRTMAX);
  // The C library keeps the numbers below SIGRTMIN for its threads.
  for (int reserved = 32; reserved < SIGRTMIN; ++reserved) CHECK(refused(std::to_string(reserved)));
  CHECK(refused(std::to_string(SIGRTMAX + 1)));
  CHECK(refused("999"));
  CHECK(refused("99999999999999999999"));
  CHECK(refused("-3"));
  CHECK(refused("+3"));
}

TEST_CASE("real-time signals as RTMIN+n and RTMAX-n", "[signals]") {
  CHECK(parsed("RTMIN") == SIGRTMIN);
  CHECK(parsed("rtmin+3") == SIGRTMIN + 3);
  CHECK(parsed("SIGRTMIN+3") == SIGRTMIN + 3);
  CHECK(parsed("RTMAX") == SIGRTMAX);
  CHECK(parsed("RTMAX-1") == SIGRTMAX - 1);
  CHECK(parsed("RTMIN+" + std::to_string(SIGRTMAX - SIGRTMIN)) == SIGRTMAX);
  CHECK(refused("RTMIN+" + std::to_string(SIGRTMAX - SIGRTMIN + 1)));
  CHECK(refused("RTMAX-" + std::to_string(SIGRTMAX - SIGRTMIN + 1)));
  CHECK(refused("RTMIN-1"));
  CHECK(refused("RTMAX+1"));
  CHECK(refused("RTMIN+"));
  CHECK(refused("RTMIN+x"));
}

TEST_CASE("bad signal spellings are bad input", "[signals]") {
  CHECK(refused(""));
  CHECK(refused("SIG"));
  CHECK(refused("FOO"));
  CHECK(refused("SIGFOO"));
  CHECK(refused("TERM "));
  CHECK(refused(" TERM"));
  CHECK(refused("SIGSIGTERM"));
  CHECK(refused("9x"));
  auto bad = parse_signal("FOO");
  CHECK(bad.error().reason() == "invalid signal 'FOO'");
}

TEST_CASE("-n takes a number only", "[signals]") {
  CHECK(*parse_signal_number("15") == SIGTERM);
  CHECK(*parse_signal_number("0") == 0);
  CHECK(!parse_signal_number("TERM").ok());
  CHECK(!parse_signal_number("-3").ok());
  CHECK(!parse_signal_number("65").ok());
  CHECK(parse_signal_number("-3").error().bad_input);
}

TEST_CASE("signal names for printing", "[signals]") {
  CHECK(signal_name(SIGTERM) == "TERM");
  CHECK(signal_name(SIGKILL) == "KILL");
  CHECK(signal_name(SIGRTMIN) == "RTMIN");
  CHECK(signal_name(SIGRTMIN + 3) == "RTMIN+3");
  CHECK(signal_name(SIGRTMAX - 1) == "RTMAX-1");
  CHECK(signal_name(SIGRTMAX) == "RTMAX");
  CHECK(signal_name(0) == "0");
  CHECK(signal_name(32).empty());
  CHECK(signal_name(-1).empty());
}

TEST_CASE("every listed name parses back to its number", "[signals]") {
  auto table = signal_table();
  REQUIRE(table.size() == static_cast<std::size_t>(31 + (SIGRTMAX - SIGRTMIN + 1)));
  CHECK(table.front().number == SIGHUP);
  CHECK(table.front().name == "HUP");
  CHECK(table.back().number == SIGRTMAX);
  int previous = 0;
  for (const auto& entry : table) {
    CHECK(entry.number > previous);
    previous = entry.number;
    CHECK(*parse_signal(entry.name) == entry.number);
    CHECK(*parse_signal("SIG" + entry.name) == entry.number);
  }
}

TEST_CASE("-l SIGNAL translates both ways", "[signals]") {
  CHECK(*translate_signal("15") == "TERM");
  CHECK(*translate_signal("TERM") == "15");
  CHECK(*translate_signal("sigkill") == "9");
  CHECK(*translate_signal("RTMIN+1") == std::to_string(SIGRTMIN + 1));
  // An exit status 128+N, as "cgkill -l $?" after a killed command.
  CHECK(*translate_signal("137") == "KILL");
  CHECK(!translate_signal("FOO").ok());
  CHECK(!translate_signal("32").ok());
  CHECK(translate_signal("999").error().bad_input);
}

TEST_CASE("-SIGNAL before the first JOB becomes -s SIGNAL", "[signals]") {
  CHECK(rewrite_signal_arguments({"-9", "job"}, k_with_values) == Args{"-s", "9", "job"});
  CHECK(rewrite_signal_arguments({"-KILL", "job"}, k_with_values) == Args{"-s", "KILL", "job"});
  CHECK(rewrite_signal_arguments({"-SIGKILL", "job"}, k_with_values) == Args{"-s", "SIGKILL", "job"});
  CHECK(rewrite_signal_arguments({"-hup", "job"}, k_with_values) == Args{"-s", "hup", "job"});
  CHECK(rewrite_signal_arguments({"-RTMIN+2", "job"}, k_with_values) == Args{"-s", "RTMIN+2", "job"});
  CHECK(rewrite_signal_arguments({"-0", "job"}, k_with_values) == Args{"-s", "0", "job"});
  CHECK(rewrite_signal_arguments({"--wait", "-9", "-v", "a", "b"}, k_with_values) ==
        Args{"--wait", "-s", "9", "-v", "a", "b"});
}

TEST_CASE("what looks meant as a signal is handed to -s to be refused there", "[signals]") {
  CHECK(rewrite_signal_arguments({"-65", "job"}, k_with_values) == Args{"-s", "65", "job"});
  CHECK(rewrite_signal_arguments({"-FOO", "job"}, k_with_values) == Args{"-s", "FOO", "job"});
}

TEST_CASE("options, option values, JOBs and what follows are left alone", "[signals]") {
  // Our own short options, alone or combined, and -V.
  for (const char* option : {"-v", "-q", "-h", "-l", "-V", "-qv", "-s"}) {
    CHECK(rewrite_signal_arguments({option}, k_with_values) == Args{option});
  }
  CHECK(rewrite_signal_arguments({"-sKILL", "job"}, k_with_values) == Args{"-sKILL", "job"});
  // The value of an option that takes one stays its value, even "-3".
  CHECK(rewrite_signal_arguments({"-n", "-3", "job"}, k_with_values) == Args{"-n", "-3", "job"});
  CHECK(rewrite_signal_arguments({"--timeout", "-1", "job"}, k_with_values) == Args{"--timeout", "-1", "job"});
  CHECK(rewrite_signal_arguments({"-s", "-9", "job"}, k_with_values) == Args{"-s", "-9", "job"});
  // After the first JOB, or after "--", nothing is rewritten.
  CHECK(rewrite_signal_arguments({"job", "-9"}, k_with_values) == Args{"job", "-9"});
  CHECK(rewrite_signal_arguments({"--", "-9"}, k_with_values) == Args{"--", "-9"});
  CHECK(rewrite_signal_arguments({"-l", "15"}, k_with_values) == Args{"-l", "15"});
  CHECK(rewrite_signal_arguments({"--root=/x", "-TERM", "j"}, k_with_values) == Args{"--root=/x", "-s", "TERM", "j"});
}

TEST_CASE("a -SIGNAL after the first JOB is found, to be refused", "[signals]") {
  CHECK(misplaced_signal_argument({"job", "-9"}, k_with_values) == "-9");
  CHECK(misplaced_signal_argument({"-s", "HUP", "a", "b", "-KILL"}, k_with_values) == "-KILL");
  CHECK(misplaced_signal_argument({"a", "-65"}, k_with_values) == "-65");
  CHECK(misplaced_signal_argument({"-9", "job"}, k_with_values).empty());
  CHECK(misplaced_signal_argument({"job", "--wait", "-v", "-q"}, k_with_values).empty());
  CHECK(misplaced_signal_argument({"job", "--timeout", "-1"}, k_with_values).empty());
  CHECK(misplaced_signal_argument({"-n", "-3", "job"}, k_with_values).empty());
  CHECK(misplaced_signal_argument({"--", "-9"}, k_with_values).empty());
  CHECK(misplaced_signal_argument({"job", "--", "-9"}, k_with_values).empty());
}
