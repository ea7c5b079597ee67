#pragma once
// cgstat --watch: one line per change of a job's state, populated flag or
// process count.
//
// v2 is event-driven: inotify on each job's cgroup.events (populated and
// frozen) and cgroup.freeze (requests), and on each directory (sub-jobs made
// and removed). cgroup.events notifications are rate-limited (one per ~10 ms,
// later ones deferred), so a job is read right after its event and once more
// k_recheck later. A process count that changes without populated changing
// notifies nothing: cgroup.procs is re-read every k_v2_tick. v1 has no
// notifications: every job is re-read every k_v1_tick. Either interval grows
// so that a round of re-reads costs at most about 5% of one CPU (1,000s of
// jobs).

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/io/deadline.h"
#include "lib/io/event_watch.h"
#include "lib/job/job_root.h"
#include "lib/job/job_status.h"
#include "lib/io/signal_fd.h"
#include "tools/cgstat/watch_format.h"
// Not cli.h: CLI11 constructs global objects in every file that includes it,
// which main.cpp alone pays for.
#include "tools/common/exit_status.h"
#include "tools/common/report.h"

namespace cgjob::cgstat {

inline constexpr auto k_v1_tick = std::chrono::milliseconds(100);
inline constexpr auto k_v2_tick = std::chrono::milliseconds(250);
inline constexpr auto k_recheck = std::chrono::milliseconds(15);

class Watcher {
 public:
  /// Receives each line; returns false when it could not be written (ends the watch, exit 1).
  using Sink = std::function<bool(const WatchLine&)>;

  /// `events` null: poll (v1, or where inotify is unavailable).
  Watcher(const JobRoot& root, EventWatch* events, Sink sink, cli::Reporter& reporter);

  /// Reads and emits the initial state: every job below the root when `jobs`
  /// is empty, else each JOB (and with `recursive` its sub-jobs). A missing
  /// JOB is reported (status 3) and not watched. Returns the status so far.
  cli::ExitStatus start(const std::vector<JobName>& jobs, bool recursive);
  /// True when start() found something to watch (or watches the job root).
  bool watching_anything() const;

  /// Runs until `deadline` or until `stop` (may be null) receives a signal.
  /// Returns ok then, failed when output or the event source failed.
  cli::ExitStatus run(Deadline deadline, SignalFd* stop);

 private:
  struct Top {
    std::string path;
    std::string name;           ///< "" for the job root (not itself a job)
    bool include_self = false;  ///< false for the job root
    bool recursive = true;
    bool present = false;
    int wd_dir = -1;     ///< job root only: sub-jobs made/removed
    int wd_freeze = -1;  ///< job root only: its own freeze request
  };
  struct Tracked {
    std::size_t top = 0;
    std::string name;
    JobStatus status;
    bool requested_above = false;
    int wd_dir = -1;
    int wd_events = -1;
    int wd_freeze = -1;
  };

  void scan_top(std::size_t top, WatchLine::Event event_for_new);
  void top_gone(std::size_t top);
  void scan_subtree(std::size_t top, const std::string& path, WatchLine::Event event_for_new);
  void merge(std::size_t top, const std::string& prefix, bool prefix_included, std::vector<StatusEntry>& entries,
             WatchLine::Event event_for_new);
  void watch(const std::string& path, Tracked& job, bool recursive);
  void unwatch(Tracked& job);
  void remove_below(const std::string& path, bool including);
  void reread(const std::string& path);
  void handle(const std::vector<WatchEvent>& events);
  void recheck();
  void tick();
  std::string name_for(std::size_t top, const std::string& path) const;
  bool changed(const JobStatus& before, const JobStatus& after) const;
  void emit(WatchLine::Event event, const Tracked& job);
  std::optional<std::size_t> top_of(const std::string& path) const;
  void note(const Error& error);

  const JobRoot& m_root;
  StatusReader m_reader;
  EventWatch* m_events;
  Sink m_sink;
  cli::Reporter& m_reporter;
  std::vector<Top> m_tops;
  std::map<std::string, Tracked> m_jobs;  ///< by path: a parent sorts before its sub-jobs
  std::unordered_map<int, std::string> m_wd_paths;
  std::set<std::string> m_recheck_jobs;      ///< re-read once more at m_recheck_at
  std::set<std::string> m_recheck_subtrees;  ///< re-scanned once more at m_recheck_at
  std::optional<Clock::time_point> m_recheck_at;
  Clock::duration m_tick;
  Clock::time_point m_next_tick{};
  bool m_output_failed = false;
  bool m_event_failed = false;
};

}  // namespace cgjob::cgstat
