#pragma once
// Column tables in the util-linux manner (lsns, lsblk): one table of columns
// (name, header, JSON key and type, help) drives -o/--output, the table
// view, --json and the column list that completions read, so they can never
// disagree.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/error.h"

namespace cgjob::cli {

/// How a value is typed in JSON and aligned in a table.
enum class ValueType { string, number, boolean };

/// One cell of a row: the member matching `type` is set. `text` may point
/// into the row it came from.
struct Cell {
  ValueType type = ValueType::string;
  std::string_view text;
  std::int64_t number = 0;
  bool flag = false;

  static Cell of(std::string_view s) { return Cell{ValueType::string, s, 0, false}; }
  static Cell of(std::int64_t n) { return Cell{ValueType::number, {}, n, false}; }
  static Cell of(bool b) { return Cell{ValueType::boolean, {}, 0, b}; }
};

/// A column over rows of type Row.
template <class Row>
struct Column {
  std::string_view name;      ///< for -o and --list-columns, e.g. "STATE"
  std::string_view header;    ///< the table's heading
  std::string_view json_key;  ///< snake_case key in --json output
  ValueType type;
  std::string_view help;      ///< one line for --help and the man page
  Cell (*get)(const Row&);
};

/// Numbers and booleans are right-aligned, strings left-aligned (util-linux).
inline bool right_aligned(ValueType type) { return type != ValueType::string; }

/// A cell as the table shows it: strings as they are, numbers in decimal,
/// booleans as 1 and 0 (like lsblk's RO and RM).
std::string cell_text(const Cell& cell);

/// Index into `names` of each entry of the comma-separated `list`, matched
/// case-insensitively, in the order given (repeats allowed). An empty or
/// unknown entry is bad_input naming it and the known columns.
Result<std::vector<std::size_t>> parse_column_list(std::string_view list, std::span<const std::string_view> names);

/// The columns of `table` named in `list` (see parse_column_list).
template <class Row>
Result<std::vector<const Column<Row>*>> select_columns(std::string_view list, std::span<const Column<Row>> table) {
  std::vector<std::string_view> names;
  names.reserve(table.size());
  for (const auto& c : table) names.push_back(c.name);
  auto picked = parse_column_list(list, names);
  if (!picked) return picked.error();
  std::vector<const Column<Row>*> out;
  for (auto i : *picked) out.push_back(&table[i]);
  return out;
}

/// A table of text cells, aligned like util-linux: each column as wide as
/// its widest cell (header included), columns separated by two spaces,
/// right-aligned columns padded on the left, no trailing blanks.
class TextTable {
 public:
  void add_column(std::string header, bool right);
  /// One row: one cell per column, in column order.
  void add_row(std::vector<std::string> cells);
  std::size_t rows() const { return m_rows.size(); }

  /// Appends the heading line (with '\n') to `out`.
  void render_header(std::string& out) const;
  /// Appends row `i` (with '\n') to `out`.
  void render_row(std::size_t i, std::string& out) const;
  /// Heading (unless `headings` is false) and every row.
  std::string render(bool headings) const;

 private:
  void render_cells(const std::vector<std::string>& cells, std::string& out) const;
  std::vector<std::string> m_headers;
  std::vector<bool> m_right;
  std::vector<std::size_t> m_widths;
  std::vector<std::vector<std::string>> m_rows;
};

/// Display width of `s` in a terminal: UTF-8 sequences count once.
std::size_t display_width(std::string_view s);

}  // namespace cgjob::cli
