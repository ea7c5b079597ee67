#include "bench/harness/bench.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <sstream>

#include "bench/harness/clock.h"
#include "bench/harness/text_format.h"

namespace cgbench {

namespace {

struct Target {
  std::string op;
  int n;
  double bound;
  std::string what;
};

const std::vector<Target> k_targets{
    {"freeze", 1000, 1.2, "cgfreeze --wait, N=1000"},
    {"thaw", 1000, 1.2, "cgfreeze thaw --wait, N=1000"},
    {"kill9", 1000, 1.2, "cgkill -9 --wait, N=1000"},
    {"term", 1000, 1.3, "cgkill -TERM --wait (race-free), N=1000"},
    {"status", 1000, 1.3, "cgstat --json, M=1000"},
    {"status", 10000, 1.3, "cgstat --json, M=10000 (issue 12; --ms ...,10000)"},
    {"startup", 0, 1.5, "cgstat --version vs static binary start-up"},
};

double ratio(const Row* a, const Row* b, bool cpu = false) {
  if (!a || !b) return NAN;
  Stats sa = stats(*a), sb = stats(*b);
  if (sa.ok == 0 || sb.ok == 0) return NAN;
  return cpu ? sa.cmed / sb.cmed : sa.wmed / sb.wmed;
}

const char* k_op_titles[][2] = {
    {"freeze", "Freeze and wait until FROZEN"},
    {"thaw", "Thaw and wait until THAWED"},
    {"kill9", "SIGKILL the job and wait until it is empty"},
    {"term", "SIGTERM the job (workers exit in their handler) and wait until it is empty"},
    {"status", "Status of M jobs (one sleeper each, every other job frozen)"},
    {"startup", "Start-up"},
    {"run", "Start a command inside the job (the command checks /proc/self/cgroup)"},
    {"add", "Move N running processes into the job"},
};

}  // namespace

std::string Bench::markdown() const {
  std::ostringstream md;
  utsname un{};
  uname(&un);
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  md << "# cgjob bench — " << m_h.name() << " — " << m_cfg.date << (m_cfg.quick ? " (quick)" : "") << "\n\n";
  md << "- kernel " << un.release << ", " << ncpu << " CPUs; hierarchy " << m_h.name() << " at `" << m_h.mount
     << "`\n";
  md << "- tools: `" << m_cfg.build_dir << "/tools/<tool>/<tool>`" << (m_cfg.commit.empty() ? "" : ", sources at " + m_cfg.commit)
     << "\n";
  md << "- repetitions: " << m_cfg.reps << " (" << m_cfg.reps_large << " at N≥" << m_cfg.large_n
     << "; " << k_cheap_reps_factor << " times that for freeze, thaw and start-up, 3 times at N≥" << m_cfg.large_n
     << "); busy workers run "
 << m_busy_text << "; " << fmt(m_cfg.settle_ms, 0)
     << " ms pause after each reset\n";
  md << "- total run time " << fmt((mono_ms() - m_t_start) / 1e3, 0) << " s\n\n";
  if (!m_interrupted.empty()) md << "**Run " << m_interrupted << ": partial results.**\n\n";
  md << "Times in ms. **Wall**: monotonic clock around the whole process (spawn, exec, run, "
        "wait4). **CPU**: the child's user+sys from wait4's rusage. \"in-process\" rows are the "
        "floor program's own clock around the operation (no exec, no start-up). **ours/floor**: "
        "median wall of ours ÷ median wall of the floor process; **ours/peer**: median wall of "
        "ours ÷ median wall of that peer (CPU ratio in parentheses). A sample counts only if the "
        "command exited 0 and the kernel state it promised (FROZEN, THAWED, empty) held when it "
        "returned.\n\n";

  // Targets.
  md << "## Targets\n\n| target | load | ours/floor (wall) | bound | result |\n|---|---|---|---|---|\n";
  for (const auto& t : k_targets) {
    for (const auto& g : m_groups) {
      if (g.op != t.op || g.n != t.n) continue;
      Row* o = const_cast<Group&>(g).row("ours");
      Row* f = const_cast<Group&>(g).row("floor");
      double r = ratio(o, f);
      std::string result;
      if (!o || !o->na.empty()) result = "n/a (" + (o ? o->na : std::string("no data")) + ")";
      else if (std::isnan(r)) result = "n/a (no valid samples)";
      else result = r <= t.bound ? "**met**" : "**missed**";
      md << "| " << t.what << " | " << g.load << " | " << fmt(r) << " | ≤ " << fmt(t.bound, 1) << " | " << result
         << " |\n";
    }
  }
  md << "\n";

  for (const auto& title : k_op_titles) {
    bool any = false;
    for (const auto& g : m_groups) any |= g.op == title[0];
    if (!any) continue;
    md << "## " << title[1] << "\n\n";
    md << "| load | " << (std::string(title[0]) == "status" ? "M" : "N")
       << " | command | wall min | wall med | wall max | CPU min | CPU med | CPU max | ours/floor | ours/peer |\n";
    md << "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& g : m_groups) {
      if (g.op != title[0]) continue;
      Group& gg = const_cast<Group&>(g);
      Row* o = gg.row("ours");
      Row* f = gg.row("floor");
      for (const auto& r : g.rows) {
        std::string n = g.n == 0 ? "–" : std::to_string(g.n);
        md << "| " << g.load << " | " << n << " | ";
        std::string label = r.kind == Kind::ours ? "**" + r.label + "**" : r.label;
        if (!r.na.empty()) {
          md << label << " | n/a: " << r.na << " | | | | | | | |\n";
          continue;
        }
        Stats st = stats(r);
        md << label;
        if (st.ok < st.total) {
          std::string note;
          for (const auto& s : r.samples)
            if (!s.ok) {
              note = s.note;
              break;
            }
          md << " ⚠ " << (st.total - st.ok) << "/" << st.total << " failed: " << note;
        }
        md << " | " << fmt_ms(st.wmin) << " | " << fmt_ms(st.wmed) << " | " << fmt_ms(st.wmax) << " | "
           << fmt_ms(st.cmin) << " | " << fmt_ms(st.cmed) << " | " << fmt_ms(st.cmax) << " | ";
        if (r.kind == Kind::ours) md << fmt(ratio(o, f)) << " (" << fmt(ratio(o, f, true)) << ")";
        md << " | ";
        if (r.kind == Kind::peer && o && o->na.empty())
          md << fmt(ratio(o, &r)) << " (" << fmt(ratio(o, &r, true)) << ")";
        md << " |\n";
      }
    }
    md << "\n";
  }
  return md.str();
}

}  // namespace cgbench
