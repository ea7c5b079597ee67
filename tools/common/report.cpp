#include "tools/common/report.h"

#include <algorithm>
#include <cstdio>

namespace cgjob::cli {
namespace {

// Length of the valid UTF-8 sequence at the start of `text` (2 to 4 bytes,
// no overlong form, no surrogate, at most U+10FFFF), or 0.
std::size_t utf8_sequence(std::string_view text) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  std::size_t n = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3
                  : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (n == 0 || text.size() < n) return 0;
  unsigned char low = 0x80, high = 0xbf;  // the range of the second byte
  if (lead == 0xe0) low = 0xa0;
  if (lead == 0xed) high = 0x9f;
  if (lead == 0xf0) low = 0x90;
  if (lead == 0xf4) high = 0x8f;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < n; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  }
  return n;
}

std::string hex_escape(unsigned char c) {
  static constexpr char k_digits[] = "0123456789abcdef";
  return {'\\', 'x', k_digits[c >> 4], k_digits[c & 0xf]};
}

void emit(const std::string& text) {
  // One write per line, so lines of concurrent runs never interleave.
  std::string line = printable(text) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

std::string prefix(const std::string& tool, std::string_view job) {
  std::string out = tool + ": ";
  if (!job.empty()) out += std::string(job) + ": ";
  return out;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      if (c == '\\' && i + 1 < text.size() && text[i + 1] == 'x') {
        out += hex_escape(c);  // so that a literal "\x41" cannot pass for an escape
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    std::size_t n = c >= 0x80 ? utf8_sequence(text.substr(i)) : 0;
    bool c1_control = n == 2 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0;  // U+0080..U+009F
    if (n > 0 && !c1_control) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    for (std::size_t k = 0; k < std::max<std::size_t>(n, 1); ++k) {
      out += hex_escape(static_cast<unsigned char>(text[i + k]));
    }
    i += std::max<std::size_t>(n, 1);
  }
  return out;
}

void Reporter::failure(std::string_view job, std::string_view what, const Error& error) const {
  if (m_quiet) return;
  std::string line = prefix(m_tool, job);
  if (!what.empty()) line += "cannot " + std::string(what) + ": ";
  line += error.reason();
  if (!error.path.empty() && error.path != job) line += " (" + error.path + ")";
  emit(line);
}

void Reporter::error(std::string_view job, std::string_view text) const {
  if (m_quiet) return;
  emit(prefix(m_tool, job) + std::string(text));
}

void Reporter::info(std::string_view job, std::string_view text) const {
  if (!verbose()) return;
  emit(prefix(m_tool, job) + std::string(text));
}

}  // namespace cgjob::cli
