#pragma once
// Signal names and numbers as kill(1) spells them, and the rewriting of the
// kill(1)-style "-9" / "-KILL" arguments that CLI11 cannot parse. Only the C
// library's own tables (sigabbrev_np, SIGRTMIN/SIGRTMAX) are used: no syscall.

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/error.h"

namespace cgjob::cli {

/// Parses a signal as kill(1) takes it: a name with or without "SIG" in any
/// case ("TERM", "sigterm", "Kill"), an alias ("IOT", "CLD", "IO"), a number
/// 0..SIGRTMAX ("9", "0" sends nothing), or "RTMIN", "RTMIN+n", "RTMAX",
/// "RTMAX-n" inside the real-time range. The numbers between the last standard
/// signal and SIGRTMIN are reserved by the C library and refused. Anything
/// else, negative numbers and numbers above SIGRTMAX included, is bad_input.
Result<int> parse_signal(std::string_view text);

/// Parses the value of -n: a decimal signal number only (no name).
Result<int> parse_signal_number(std::string_view text);

/// The name of `sig` without "SIG": "TERM", "RTMIN", "RTMIN+3", "RTMAX-1",
/// "RTMAX"; "0" for signal 0. Empty for a number that has no name.
std::string signal_name(int sig);

struct SignalEntry {
  int number;
  std::string name;  ///< as signal_name()
};

/// Every named signal in number order: 1..31, then SIGRTMIN..SIGRTMAX.
std::vector<SignalEntry> signal_table();

/// What `-l SIGNAL` prints: for a number, its name ("15" -> "TERM"; an exit
/// status 128+N is read as N, as util-linux does); for a name, its number
/// ("TERM" -> "15"). Unknown signals are bad_input.
Result<std::string> translate_signal(std::string_view text);

/// Rewrites the kill(1) forms "-9", "-KILL", "-SIGKILL", "-rtmin+2" into
/// "-s", "<signal>" so that an ordinary option parser can read them. Only
/// arguments before the first positional one (the first JOB) are looked at,
/// "--" stops the scan, and the values of `options_with_values` ("--root",
/// "-n" ...) are skipped, so "-n -3" stays an (invalid) value of -n. A word
/// is rewritten only when what follows the dash is a valid signal; our own
/// short options (-h -l -q -v -V) are no signal names, so they never clash.
std::vector<std::string> rewrite_signal_arguments(const std::vector<std::string>& args,
                                                  const std::vector<std::string_view>& options_with_values);

/// The first argument after the first positional one (and before "--") that
/// rewrite_signal_arguments() would have taken for a -SIGNAL, or "" if none.
/// A caller refuses it: "cgkill build -9" must not signal "build" with TERM
/// and then look for a job named "-9".
std::string misplaced_signal_argument(const std::vector<std::string>& args,
                                      const std::vector<std::string_view>& options_with_values);

}  // namespace cgjob::cli
