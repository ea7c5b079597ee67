#include "lib/parse/freezer_words.h"

namespace cgjob {

FreezeState parse_v1_state(std::string_view text) {
  auto end = text.find_first_of(" \n");
  auto word = end == std::string_view::npos ? text : text.substr(0, end);
  if (word == "FROZEN") return FreezeState::frozen;
  if (word == "FREEZING") return FreezeState::freezing;
  return FreezeState::thawed;
}

}  // namespace cgjob
