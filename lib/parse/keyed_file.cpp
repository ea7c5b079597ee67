#include "lib/parse/keyed_file.h"

#include <cerrno>
#include <charconv>
#include <string>

namespace cgjob {

Result<std::string_view> keyed_value(std::string_view text, std::string_view key, std::string_view file) {
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(start, end - start);
    start = end + 1;
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ' ') {
      return line.substr(key.size() + 1);
    }
  }
  return text_error("no \"" + std::string(key) + "\" key", std::string(file), ENXIO);
}

Result<long> keyed_number(std::string_view text, std::string_view key, std::string_view file) {
  auto value = keyed_value(text, key, file);
  if (!value) return value.error();
  long number = 0;
  const char* first = value->data();
  const char* last = first + value->size();
  auto [end, ec] = std::from_chars(first, last, number);
  if (value->empty() || ec != std::errc() || end != last) {
    return text_error("\"" + std::string(key) + "\" is not a number", std::string(file), EINVAL);
  }
  return number;
}

}  // namespace cgjob
