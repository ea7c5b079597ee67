#pragma once
// Text helpers: trimming, and numbers for the report.

#include <string>

namespace cgbench {

std::string trim(std::string s);

std::string fmt(double v, int prec = 2);

/// Milliseconds with a precision that suits the magnitude.
std::string fmt_ms(double v);

}  // namespace cgbench
