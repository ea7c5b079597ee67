#include "tools/common/report.h"

#include <cstdio>

namespace cgjob::cli {
namespace {

void emit(const std::string& line) {
  // One write per line, so lines of concurrent runs never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

std::string prefix(const std::string& tool, std::string_view job) {
  std::string out = tool + ": ";
  if (!job.empty()) out += std::string(job) + ": ";
  return out;
}

}  // namespace

void Reporter::failure(std::string_view job, std::string_view what, const Error& error) const {
  if (m_quiet) return;
  std::string line = prefix(m_tool, job);
  if (!what.empty()) line += "cannot " + std::string(what) + ": ";
  line += error.reason();
  if (!error.path.empty() && error.path != job) line += " (" + error.path + ")";
  emit(line + "\n");
}

void Reporter::error(std::string_view job, std::string_view text) const {
  if (m_quiet) return;
  emit(prefix(m_tool, job) + std::string(text) + "\n");
}

void Reporter::info(std::string_view job, std::string_view text) const {
  if (!verbose()) return;
  emit(prefix(m_tool, job) + std::string(text) + "\n");
}

}  // namespace cgjob::cli
