#include "bench/harness/text_format.h"

#include <cmath>
#include <cstdio>

namespace cgbench {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
  return s.substr(i);
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
