#include "lib/parse/event_file.h"

#include <charconv>

namespace cgjob {

long event_value(std::string_view text, std::string_view key) {
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(start, end - start);
    start = end + 1;
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ' ') {
      long value = -1;
      auto digits = line.substr(key.size() + 1);
      std::from_chars(digits.data(), digits.data() + digits.size(), value);
      return value;
    }
  }
  return -1;
}

}  // namespace cgjob
