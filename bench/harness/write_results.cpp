#include "bench/harness/bench.h"

#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "bench/harness/text_format.h"

namespace cgbench {

namespace {

std::string kind_name(Kind k) {
  switch (k) {
    case Kind::floor_in: return "floor-in-process";
    case Kind::floor: return "floor-process";
    case Kind::ours: return "ours";
    case Kind::peer: return "peer";
    case Kind::other: return "other";
  }
  return "?";
}

std::string csv_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += "\"\"";
    else out += c;
  }
  return out + "\"";
}

std::string csv_num(double v) { return std::isnan(v) ? "" : fmt(v, 4); }

}  // namespace

void Bench::write_results() const {
  mkdir(m_cfg.out_dir.c_str(), 0755);
  std::string stem = m_cfg.out_dir + "/" + m_cfg.date + "-" + m_h.name() + m_cfg.suffix +
                     (m_interrupted.empty() ? "" : "-partial");
  {
    std::ofstream csv(stem + ".csv");
    csv << "hierarchy,op,load,n,variant,kind,label,rep,ok,wall_ms,cpu_ms,note\n";
    for (const auto& g : m_groups)
      for (const auto& r : g.rows) {
        int rep = 0;
        for (const auto& s : r.samples) {
          bool in = r.kind == Kind::floor_in;
          csv << m_h.name() << "," << g.op << "," << g.load << "," << g.n << "," << r.key << ","
              << kind_name(r.kind) << "," << csv_quote(r.label) << "," << rep++ << "," << (s.ok ? 1 : 0) << ","
              << csv_num(in ? s.in_wall : s.wall) << "," << csv_num(in ? s.in_cpu : s.cpu) << ","
              << csv_quote(s.note) << "\n";
        }
      }
  }
  std::ofstream(stem + ".md") << markdown();
  std::fprintf(stderr, "cgbench: wrote %s.md and %s.csv\n", stem.c_str(), stem.c_str());
}

}  // namespace cgbench
