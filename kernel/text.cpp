#include "kernel/text.h"

namespace cgjob {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  for (;;) {
    auto end = text.find(sep, start);
    if (end == std::string_view::npos) {
      pieces.push_back(text.substr(start));
      return pieces;
    }
    pieces.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::vector<std::string_view> lines(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (text.empty()) return {};
  return split(text, '\n');
}

bool list_contains(std::string_view list, std::string_view item, char sep) {
  for (auto piece : split(list, sep)) {
    if (piece == item) return true;
  }
  return false;
}

}  // namespace cgjob
