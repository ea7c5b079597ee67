#include "tools/common/columns.h"

#include <algorithm>

namespace cgjob::cli {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::string cell_text(const Cell& cell) {
  switch (cell.type) {
    case ValueType::string: return std::string(cell.text);
    case ValueType::number: return std::to_string(cell.number);
    case ValueType::boolean: return cell.flag ? "1" : "0";
  }
  return {};
}

Result<std::vector<std::size_t>> parse_column_list(std::string_view list, std::span<const std::string_view> names) {
  std::vector<std::size_t> out;
  std::size_t start = 0;
  for (;;) {
    auto end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    auto word = list.substr(start, end - start);
    auto it = std::find_if(names.begin(), names.end(), [&](std::string_view n) { return equal_ignoring_case(n, word); });
    if (it == names.end()) {
      std::string known;
      for (auto n : names) {  // appended: "," + std::string(n) trips GCC 12's -Wrestrict at -O3
        if (!known.empty()) known += ',';
        known += n;
      }
      return input_error(word.empty() ? "empty column name in '" + std::string(list) + "' (columns: " + known + ")"
                                      : "unknown column '" + std::string(word) + "' (columns: " + known + ")");
    }
    out.push_back(static_cast<std::size_t>(it - names.begin()));
    if (end == list.size()) break;
    start = end + 1;
  }
  return out;
}

std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++width;  // count lead bytes, not continuation bytes
  }
  return width;
}

void TextTable::add_column(std::string header, bool right) {
  m_widths.push_back(display_width(header));
  m_headers.push_back(std::move(header));
  m_right.push_back(right);
}

void TextTable::add_row(std::vector<std::string> cells) {
  cells.resize(m_headers.size());
  for (std::size_t i = 0; i < cells.size(); ++i) m_widths[i] = std::max(m_widths[i], display_width(cells[i]));
  m_rows.push_back(std::move(cells));
}

void TextTable::render_cells(const std::vector<std::string>& cells, std::string& out) const {
  std::size_t pending_blanks = 0;  // written only if something follows: no trailing blanks
  for (std::size_t i = 0; i < cells.size(); ++i) {
    std::size_t pad = m_widths[i] - display_width(cells[i]);
    if (i > 0) pending_blanks += 2;
    if (m_right[i]) pending_blanks += pad;
    if (!cells[i].empty()) {
      out.append(pending_blanks, ' ');
      pending_blanks = 0;
      out += cells[i];
    }
    if (!m_right[i]) pending_blanks += pad;
  }
  out += '\n';
}

void TextTable::render_header(std::string& out) const { render_cells(m_headers, out); }

void TextTable::render_row(std::size_t i, std::string& out) const { render_cells(m_rows[i], out); }

std::string TextTable::render(bool headings) const {
  std::string out;
  if (headings) render_header(out);
  for (std::size_t i = 0; i < m_rows.size(); ++i) render_row(i, out);
  return out;
}

}  // namespace cgjob::cli
