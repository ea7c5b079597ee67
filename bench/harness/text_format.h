#pragma once
// Text helpers: trimming, splitting, flat-keyed files, numbers for the report.

#include <string>
#include <vector>

namespace cgbench {

std::string trim(std::string s);

std::vector<std::string> split(const std::string& s, char sep);

/// Value of "key N" in a flat-keyed file (cgroup.events), or -1.
int key_value(const std::string& text, const std::string& key);

std::string fmt(double v, int prec = 2);

/// Milliseconds with a precision that suits the magnitude.
std::string fmt_ms(double v);

}  // namespace cgbench
