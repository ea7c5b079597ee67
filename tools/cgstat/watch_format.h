#pragma once
// cgstat --watch: how a line is printed, as text or as JSON (the watch
// itself: tools/cgstat/watch.h).

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "lib/freezer/freezer.h"

namespace cgjob::cgstat {

/// One line of output.
struct WatchLine {
  enum class Event {
    initial,  ///< the state when the watch started
    added,    ///< a job that appeared during the watch
    changed,  ///< state, populated or the process count changed
    removed,  ///< the job is gone (populated false, nprocs 0, its last state)
  };
  Event event = Event::changed;
  std::string name;
  FreezeState state = FreezeState::thawed;
  bool populated = false;
  std::size_t nprocs = 0;
};

std::string_view to_string(WatchLine::Event event);

/// `when` as ISO-8601 in UTC with milliseconds: "2026-11-23T15:54:00.123Z".
std::string format_time(std::chrono::system_clock::time_point when);

/// The line as printed, with '\n'. Text:
///   2026-11-23T15:54:00.123Z build FROZEN populated=1 nprocs=2
/// (" added"/" removed" appended for those events). JSON, one object:
///   {"time":"2026-11-23T15:54:00.123Z","event":"changed","name":"build",
///    "state":"FROZEN","populated":true,"nprocs":2}
std::string format_watch_line(const WatchLine& line, bool json, std::chrono::system_clock::time_point when);

}  // namespace cgjob::cgstat
