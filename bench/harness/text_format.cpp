#include "bench/harness/text_format.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace cgbench {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
  return s.substr(i);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

/// Value of "key N" in a flat-keyed file (cgroup.events), or -1.
int key_value(const std::string& text, const std::string& key) {
  for (const auto& line : split(text, '\n'))
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 && line[key.size()] == ' ')
      return std::atoi(line.c_str() + key.size() + 1);
  return -1;
}

std::string fmt(double v, int prec) {
  if (std::isnan(v)) return "–";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  return buf;
}

std::string fmt_ms(double v) {
  if (std::isnan(v)) return "–";
  if (v < 1) return fmt(v, 3);
  if (v < 100) return fmt(v, 2);
  return fmt(v, 1);
}

}  // namespace cgbench
