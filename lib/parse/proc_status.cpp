#include "lib/parse/proc_status.h"

#include <cerrno>

namespace cgjob {

Result<std::uint64_t> parse_status_mask(std::string_view status, std::string_view key) {
  for (std::size_t at = 0; at < status.size();) {
    auto end = status.find('\n', at);
    if (end == std::string_view::npos) end = status.size();
    auto line = status.substr(at, end - at);
    at = end + 1;
    if (line.substr(0, key.size()) != key) continue;
    auto hex = line.substr(key.size());
    while (!hex.empty() && (hex.front() == ' ' || hex.front() == '\t')) hex.remove_prefix(1);
    if (hex.empty() || hex.size() > 16) break;
    std::uint64_t mask = 0;
    for (char c : hex) {
      int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) return text_error("unexpected " + std::string(key) + " value", "/proc/PID/status", EINVAL);
      mask = mask << 4 | static_cast<std::uint64_t>(digit);
    }
    return mask;
  }
  return text_error("no " + std::string(key) + " line", "/proc/PID/status", EINVAL);
}

}  // namespace cgjob
