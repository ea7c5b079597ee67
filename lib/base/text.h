#pragma once
// Splitting the small text formats of /proc and cgroupfs.

#include <optional>
#include <string_view>
#include <vector>

namespace cgjob {

/// The pieces of `text` between `sep`s, empty ones included: "a,,b" gives
/// "a", "", "b"; "" gives one empty piece.
std::vector<std::string_view> split(std::string_view text, char sep);

/// The lines of `text`, without the empty one after a final newline.
std::vector<std::string_view> lines(std::string_view text);

/// Whether the `sep`-separated `list` has `item` ("rw,freezer" has "freezer").
bool list_contains(std::string_view list, std::string_view item, char sep = ',');

/// `text` as an unsigned decimal, all of it; nullopt for anything else
/// (empty, a sign, a space, trailing garbage, overflow).
std::optional<unsigned long long> parse_decimal(std::string_view text);

}  // namespace cgjob
