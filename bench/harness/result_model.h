#pragma once
// What a run collects: per group of rows (one op, load and size), one row
// per command, its samples; and their statistics.

#include <string>
#include <vector>

#include "bench/harness/run_measured.h"

namespace cgbench {

enum class Kind { floor_in, floor, ours, peer, other };  // other: shown, no ratio

struct Variant {
  std::string key;    // stable id for CSV: floor, ours, sh, cgroup-tools, pkill, ...
  Kind kind = Kind::peer;
  std::string label;  // what the table shows
  std::vector<std::string> argv;
  std::string na;     // non-empty: not available, and why
  bool floor_timing = false;  // prints "<wall_ns> <cpu_ns>"
};

struct Row {
  std::string key, label, na;
  Kind kind = Kind::peer;
  std::vector<Sample> samples;
};

struct Group {
  std::string op;    // freeze thaw kill9 term status startup
  std::string load;  // sleep spin churn, or "-"
  int n = 0;         // N processes or M jobs
  std::vector<Row> rows;
  double reset_ms = 0, run_ms = 0;  // where the harness's time went
  Row* row(const std::string& key) {
    for (auto& r : rows)
      if (r.key == key) return &r;
    return nullptr;
  }
};

struct Stats {
  int ok = 0, total = 0;
  double wmin = NAN, wmed = NAN, wmax = NAN, cmin = NAN, cmed = NAN, cmax = NAN;
};

/// Min, median and max of a row's valid samples (in-process times for floor_in rows).
Stats stats(const Row& r);

}  // namespace cgbench
