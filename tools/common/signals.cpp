#include "tools/common/signals.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <csignal>
#include <cstring>

namespace cgjob::cli {
namespace {

// The last standard signal; SIGRTMIN (34 with glibc, which keeps 32 and 33
// for its threads) starts the real-time range.
constexpr int k_last_standard = 31;

struct Alias {
  const char* name;
  int number;
};
// Older names that kill(1) still accepts; signal_name() never prints them.
constexpr Alias k_aliases[] = {{"IOT", SIGIOT}, {"CLD", SIGCHLD}, {"IO", SIGIO}};

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A decimal without sign; nullopt-like -1 when it is not one or is huge.
int decimal(std::string_view text) {
  if (!all_digits(text)) return -1;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return -1;
  return value;
}

bool valid_number(int sig) { return sig == 0 || (sig >= 1 && sig <= k_last_standard) || (sig >= SIGRTMIN && sig <= SIGRTMAX); }

Error bad_signal(std::string_view text, std::string_view why = {}) {
  std::string detail = "invalid signal '" + std::string(text) + "'";
  if (!why.empty()) detail += " (" + std::string(why) + ")";
  return input_error(detail);
}

// "RTMIN", "RTMIN+n", "RTMAX", "RTMAX-n" (upper case, SIG already removed).
int parse_realtime(std::string_view name) {
  int span = SIGRTMAX - SIGRTMIN;
  auto offset = [&](std::string_view rest, char sign) {
    if (rest.empty()) return 0;
    if (rest.front() != sign) return -1;
    int n = decimal(rest.substr(1));
    return n >= 0 && n <= span ? n : -1;
  };
  if (name.starts_with("RTMIN")) {
    int n = offset(name.substr(5), '+');
    return n < 0 ? -1 : SIGRTMIN + n;
  }
  if (name.starts_with("RTMAX")) {
    int n = offset(name.substr(5), '-');
    return n < 0 ? -1 : SIGRTMAX - n;
  }
  return -1;
}

}  // namespace

Result<int> parse_signal(std::string_view text) {
  if (all_digits(text)) {
    int sig = decimal(text);
    if (sig < 0 || !valid_number(sig)) {
      return bad_signal(text, "expected 0-" + std::to_string(k_last_standard) + " or " + std::to_string(SIGRTMIN) +
                                  "-" + std::to_string(SIGRTMAX));
    }
    return sig;
  }
  std::string name = upper(text);
  if (name.starts_with("SIG")) name.erase(0, 3);
  if (name.empty()) return bad_signal(text);
  for (int sig = 1; sig <= k_last_standard; ++sig) {
    const char* abbrev = ::sigabbrev_np(sig);
    if (abbrev && name == abbrev) return sig;
  }
  for (const auto& alias : k_aliases) {
    if (name == alias.name) return alias.number;
  }
  int rt = parse_realtime(name);
  if (rt > 0) return rt;
  return bad_signal(text);
}

Result<int> parse_signal_number(std::string_view text) {
  if (!all_digits(text)) return input_error("invalid signal number '" + std::string(text) + "' for -n");
  return parse_signal(text);
}

std::string signal_name(int sig) {
  if (sig == 0) return "0";
  if (sig >= 1 && sig <= k_last_standard) {
    const char* abbrev = ::sigabbrev_np(sig);
    return abbrev ? abbrev : std::string();
  }
  if (sig < SIGRTMIN || sig > SIGRTMAX) return {};
  // Like bash and util-linux: the first half counts up from RTMIN, the
  // second half down from RTMAX.
  int from_min = sig - SIGRTMIN;
  int from_max = SIGRTMAX - sig;
  if (from_min == 0) return "RTMIN";
  if (from_max == 0) return "RTMAX";
  if (from_min <= from_max) return "RTMIN+" + std::to_string(from_min);
  return "RTMAX-" + std::to_string(from_max);
}

std::vector<SignalEntry> signal_table() {
  std::vector<SignalEntry> out;
  for (int sig = 1; sig <= SIGRTMAX; ++sig) {
    auto name = signal_name(sig);
    if (!name.empty()) out.push_back(SignalEntry{sig, std::move(name)});
  }
  return out;
}

Result<std::string> translate_signal(std::string_view text) {
  if (all_digits(text)) {
    int n = decimal(text);
    // An exit status 128+N names signal N ("cgkill -l $?").
    if (n > 128 && n - 128 <= SIGRTMAX) n -= 128;
    if (n < 0 || !valid_number(n)) return bad_signal(text);
    return signal_name(n);
  }
  auto sig = parse_signal(text);
  if (!sig) return sig.error();
  return std::to_string(*sig);
}

// Whether `arg` is written like a -SIGNAL: a valid signal after the dash, or
// something that can only have been meant as one ("-65", "-FOO"), which -s
// then reports precisely. Our own short options are single lower-case
// letters, and "-V" (version) is the only upper-case one.
static bool looks_like_signal_option(std::string_view arg) {
  if (arg.size() < 2 || arg[0] != '-' || arg[1] == '-') return false;
  std::string_view word = arg.substr(1);
  return parse_signal(word).ok() || all_digits(word) ||
         (word.size() >= 2 && std::isupper(static_cast<unsigned char>(word[0])));
}

static bool takes_value(const std::vector<std::string_view>& options_with_values, std::string_view arg) {
  return std::find(options_with_values.begin(), options_with_values.end(), arg) != options_with_values.end();
}

std::vector<std::string> rewrite_signal_arguments(const std::vector<std::string>& args,
                                                  const std::vector<std::string_view>& options_with_values) {
  std::vector<std::string> out;
  out.reserve(args.size() + 1);
  bool scanning = true;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!scanning) {
      out.push_back(a);
    } else if (a == "--" || a.size() < 2 || a[0] != '-') {
      scanning = false;  // the first JOB, or "--" before it
      out.push_back(a);
    } else if (takes_value(options_with_values, a)) {
      out.push_back(a);
      if (i + 1 < args.size()) out.push_back(args[++i]);
    } else if (looks_like_signal_option(a)) {
      out.push_back("-s");
      out.push_back(a.substr(1));
    } else {
      out.push_back(a);
    }
  }
  return out;
}

std::string misplaced_signal_argument(const std::vector<std::string>& args,
                                      const std::vector<std::string_view>& options_with_values) {
  bool after_positional = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return {};
    if (after_positional && looks_like_signal_option(a)) return a;
    if (takes_value(options_with_values, a)) {
      ++i;
    } else if (a.size() < 2 || a[0] != '-') {
      after_positional = true;
    }
  }
  return {};
}

}  // namespace cgjob::cli
