#include "lib/parse/freezer_words.h"

#include <cerrno>
#include <string>

namespace cgjob {

Result<FreezeState> parse_v1_state(std::string_view text, std::string_view file) {
  auto word = text.ends_with('\n') ? text.substr(0, text.size() - 1) : text;
  if (word == "THAWED") return FreezeState::thawed;
  if (word == "FREEZING") return FreezeState::freezing;
  if (word == "FROZEN") return FreezeState::frozen;
  return text_error("not a freezer state (THAWED, FREEZING or FROZEN)", std::string(file), EINVAL);
}

}  // namespace cgjob
