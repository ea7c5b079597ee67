#include "bench/harness/result_model.h"

#include <algorithm>

namespace cgbench {

namespace {

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

}  // namespace

Stats stats(const Row& r) {
  Stats st;
  std::vector<double> w, c;
  for (const auto& s : r.samples) {
    ++st.total;
    if (!s.ok) continue;
    ++st.ok;
    w.push_back(r.kind == Kind::floor_in ? s.in_wall : s.wall);
    c.push_back(r.kind == Kind::floor_in ? s.in_cpu : s.cpu);
  }
  if (!w.empty()) {
    st.wmin = *std::min_element(w.begin(), w.end());
    st.wmax = *std::max_element(w.begin(), w.end());
    st.wmed = median(w);
    st.cmin = *std::min_element(c.begin(), c.end());
    st.cmax = *std::max_element(c.begin(), c.end());
    st.cmed = median(c);
  }
  return st;
}

}  // namespace cgbench
