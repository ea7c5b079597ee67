#pragma once
// What differs between the v1 freezer hierarchy and cgroup2, as answers to
// questions, so that nobody outside the tables (lib/cgroup/hierarchy_traits.cpp)
// and the backends (lib/freezer/freezer_v1.cpp, lib/freezer/freezer_v2.cpp)
// tests which hierarchy it is. One table per hierarchy, picked once with the
// freezer backend (Freezer::traits()) or, where only a mount is known, by
// hierarchy_traits().

#include <string_view>

#include "lib/cgroup/hierarchy.h"
#include "lib/io/deadline.h"

namespace cgjob {

struct TaskInfo;

/// How a wait for a freeze state paces its re-reads: every `fine_pause`
/// (reached by doubling from `first_pause`) for `fine_window` after the
/// start and after each notification, then doubling up to `max_pause`.
struct PollPlan {
  Clock::duration first_pause;
  Clock::duration fine_pause;
  Clock::duration fine_window;
  Clock::duration max_pause;
};

struct HierarchyTraits {
  /// Which hierarchy this is: for display ("v1", "v2") and for making a
  /// backend, never for a decision.
  HierarchyKind kind;
  /// Whether the /proc/PID/cgroup line "ID:CONTROLLERS:PATH" is this
  /// hierarchy's: v2's is "0::PATH", v1's the one listing the freezer.
  bool (*is_own_cgroup_line)(std::string_view id, std::string_view controllers);

  /// Whether `task` can be counted as frozen, from its state and wait
  /// channel (what a freeze that timed out reports; lib/freezer/freeze_blockers.h).
  bool (*looks_frozen)(const TaskInfo& task);

  /// clone3's CLONE_INTO_CGROUP takes this hierarchy's directory fds: a child
  /// can be born straight into the job (cgroup2 only; the kernel, 5.7+, is
  /// asked separately: has_clone_into_cgroup()).
  bool clone_into_cgroup;
  /// The kernel tells whether a cgroup or one below it has a process
  /// (cgroup.events "populated", read with the freezer state:
  /// FreezerStatus::populated); otherwise it is counted by walking down.
  bool tells_populated;
  /// The kernel tells whether an ancestor asked to be frozen
  /// (freezer.parent_freezing); otherwise the ancestors' requests are read
  /// (Freezer::self_freezing_at).
  bool tells_parent_freezing;
  /// A cgroup's changes can be waited for with inotify: the kernel modifies
  /// cgroup.events (populated, frozen) and cgroup.freeze. Otherwise they are
  /// polled.
  bool notifies_changes;
  /// Where it does, the files an inotify watch of a cgroup's changes names:
  /// the one the kernel modifies when the state or populated flag changes,
  /// and the cgroup's own freeze request (absent on the mount root). Empty
  /// otherwise.
  std::string_view state_notify_file;
  std::string_view request_notify_file;
  /// cgroup.procs lists a process of another PID namespace as 0 (v2);
  /// otherwise it leaves it out (v1), and a busy cgroup may list nothing.
  bool lists_hidden_processes;
  /// systemd as PID 1 may own this hierarchy, its units' cgroups in it
  /// (cgroup2); it never uses a v1 freezer hierarchy.
  bool systemd_may_own;

  /// The access moving a process into a job needs, for a message after
  /// EACCES/EPERM: "moving a process needs " + this. v2 (cgroup-v2.rst,
  /// "Delegation"): the destination's cgroup.procs and that of the common
  /// ancestor of source and destination; v1: the destination's cgroup.procs
  /// and, unless root, the process's own uid.
  std::string_view move_access;
  /// Whether that access includes the common ancestor's cgroup.procs, which
  /// the message then names.
  bool move_needs_common_ancestor;

  /// Whether a frozen task that gets SIGKILL dies at once (v2), or only once
  /// thawed (v1: it stays in the refrigerator with the signal pending).
  bool frozen_die_of_sigkill;
  /// How a wait paces its re-reads of the freeze state.
  PollPlan poll_plan;
  /// A wait nudges a job stuck in FREEZING along (Freezer::nudge) first
  /// after this (zero: never), then at doubling intervals up to a quarter
  /// of a second.
  Clock::duration nudge_interval;
  /// How many nudges a freeze requested without waiting gives a job that is
  /// not FROZEN yet before it returns (zero: it returns at once).
  unsigned settle_nudges;
};

/// The table of hierarchy `kind`: with make_freezer() (lib/freezer/freezer.h),
/// the one place that branches on the kind.
const HierarchyTraits& hierarchy_traits(HierarchyKind kind);

}  // namespace cgjob
