#include "tools/common/duration.h"

#include <cmath>
#include <cstdlib>
#include <string>

namespace cgjob::cli {

Result<Duration> parse_duration(std::string_view text) {
  auto bad = [&] {
    return input_error("invalid duration '" + std::string(text) +
                       "' (seconds, optionally with ms, s, m or h: 0.5, 500ms, 2s, 1m)");
  };
  std::size_t digits = 0;
  while (digits < text.size() && ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.')) {
    ++digits;
  }
  auto number = text.substr(0, digits);
  auto unit = text.substr(digits);
  if (number.empty() || number == "." || number.find('.') != number.rfind('.')) return bad();
  double scale = 1.0;
  if (unit.empty() || unit == "s") scale = 1.0;
  else if (unit == "ms") scale = 1e-3;
  else if (unit == "us") scale = 1e-6;
  else if (unit == "m" || unit == "min") scale = 60.0;
  else if (unit == "h") scale = 3600.0;
  else return bad();
  double seconds = std::strtod(std::string(number).c_str(), nullptr) * scale;
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 366.0 * 86400) return bad();
  return Duration(static_cast<Duration::rep>(std::llround(seconds * 1e9)));
}

}  // namespace cgjob::cli
