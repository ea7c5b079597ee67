#pragma once
// Change notifications for watching jobs (cgstat --watch on v2), as an fd to
// poll (the signals that end a watch come through lib/io/signal_fd.h).
//
// inotify, because one fd then covers any number of jobs (a watch is no fd)
// and it also reports directories: IN_MODIFY on cgroup.events fires when
// kernfs notifies populated/frozen changes (rate-limited: at most one per
// ~10 ms per file, later ones deferred), IN_MODIFY on cgroup.freeze when
// anyone writes a request, IN_CREATE/IN_DELETE on a cgroup directory when a
// sub-cgroup is made or removed.

#include <memory>
#include <string>
#include <vector>

#include "lib/base/error.h"
#include "lib/base/unique_fd.h"

namespace cgjob {

struct WatchEvent {
  enum class Kind {
    modified,  ///< a watched file changed
    created,   ///< a sub-directory `name` appeared in a watched directory
    deleted,   ///< a sub-directory `name` was removed from a watched directory
    gone,      ///< the watch ended (IN_IGNORED). Not sent when a cgroup
               ///< directory is removed: kernfs keeps its link count above 0,
               ///< so only the parent's `deleted` tells (6.18)
    overflow,  ///< events were lost (queue overflow): re-read everything
  };
  int wd = -1;
  Kind kind = Kind::modified;
  std::string name;
};

/// A set of watches. Abstract so that tests can feed events by hand.
class EventWatch {
 public:
  virtual ~EventWatch() = default;
  /// Polls readable (POLLIN) when events are pending; -1 when there is no fd.
  virtual int fd() const = 0;
  /// Watches the file at `path` for modification; returns the watch id.
  /// ENOENT when it does not exist, ENOSPC when the per-user watch limit
  /// (fs.inotify.max_user_watches) is reached.
  virtual Result<int> watch_file(const std::string& path) = 0;
  /// Watches the directory at `path` for sub-directories created and
  /// removed, and for its own removal; returns the watch id.
  virtual Result<int> watch_dir(const std::string& path) = 0;
  /// Ends a watch; a watch already gone is fine.
  virtual void unwatch(int wd) = 0;
  /// Every pending event, without blocking; empty when there is none.
  virtual Result<std::vector<WatchEvent>> read_events() = 0;
};

/// An inotify instance (non-blocking, close-on-exec). EMFILE when the
/// per-user instance limit is reached.
Result<std::unique_ptr<EventWatch>> open_inotify_watch();

}  // namespace cgjob
