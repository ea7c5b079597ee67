#pragma once
// One run over one hierarchy: sets up its cgroups, runs every group of rows
// (resets, measured commands, verification), reports, and removes all it made.

#include <functional>
#include <string>
#include <vector>

#include "bench/harness/cgroup_state.h"
#include "bench/harness/config.h"
#include "bench/harness/result_model.h"
#include "bench/harness/run_measured.h"

namespace cgbench {

// Freeze, thaw and start-up samples are cheap to reset and noisy: with 21
// samples (3x) the median of 1,000 spinners moved by up to 0.3x of the floor
// from one run to the next on 2 cores; with 63 (9x), by under 0.15x. (At
// N >= large_n three times.)
constexpr int k_cheap_reps_factor = 9;
// Jobs whose sleepers one nursery starts in the status rows (see status_group).
constexpr size_t k_spawn_batch = 500;

class Bench {
 public:
  Bench(Config cfg) : m_cfg(std::move(cfg)) {}

  int run();
  void cleanup();

 private:
  std::string tool(const std::string& name) const {
    return m_cfg.build_dir + "/tools/" + name + "/" + name;
  }
  std::string floor(const std::string& name) const { return m_cfg.floor_dir + "/" + name; }
  std::string peer(const std::string& name) const { return m_cfg.peers_dir + "/" + name; }
  /// Path of dir relative to the mount, as cgroup-tools and pkill want it.
  std::string rel(const std::string& dir) const { return dir.substr(m_h.mount.size()); }

  Variant ours(const std::string& label, std::vector<std::string> args, const std::string& t) const {
    Variant v{"ours", Kind::ours, label, {}, "", false};
    v.argv.push_back(tool(t));
    for (auto& a : args) v.argv.push_back(a);
    if (!executable(tool(t))) v.na = "not built (" + tool(t) + ")";
    return v;
  }

  void run_group(Group& g, const std::vector<Variant>& variants, int reps,
                 const std::function<void()>& reset,
                 const std::function<std::string(const Variant&, const std::string&)>& verify,
                 const std::function<void()>& after = {});
  void op_groups(Load load, int n);
  void kill_group(Load load, int n, bool sigkill);
  void status_group(int m);
  void startup_group();
  void spawn_group();
  void add_group(int n);
  void progress(const Group& g) const;
  void write_results() const;
  std::string markdown() const;

  Config m_cfg;
  Hier m_h;
  std::string m_base;   // <mount>/cgjobs-bench-<pid>
  std::string m_ops;    // job root for the N-process jobs
  std::string m_job;    // m_ops + "/w"
  std::string m_stage;  // m_ops + "/stage": where "add" takes its processes from
  std::string m_stat;   // job root for the M jobs
  std::vector<std::string> m_stat_jobs;
  std::vector<Group> m_groups;
  std::string m_busy_text;
  Capture m_cap;
  double m_t_start = 0;
  std::string m_interrupted;
};

}  // namespace cgbench
