#pragma once
// Real-kernel test support: the hierarchy under test, a uniquely named job
// root removed at exit, and children that are tracked by PID and killed at
// exit, also when a test fails.

#include <sys/types.h>

#include <string>
#include <vector>

#include "lib/io/deadline.h"
#include "lib/job/job_root.h"

namespace cgjob::ktest {

/// The job root for this test binary (created lazily, removed at exit).
JobRoot& job_root();
/// A fresh, uniquely named job name for one test case.
std::string unique_job(const std::string& stem);
/// Forks a child running `/bin/sh -c script` in its own process group, with
/// stdio on /dev/null (so no leftover can hold the runner's pipes), tracked
/// for cleanup, which kills the whole group.
pid_t start_shell(const std::string& script);
/// Tracks a child started elsewhere, so that cleanup kills it (and its group).
void track_child(pid_t pid);
/// Kills (SIGKILL) and reaps a tracked child.
void stop_child(pid_t pid);

/// How much slower than this host the machine may be (a TCG guest: 7-40
/// times; scripts/vm/guest-tests.sh sets CGJOB_TEST_TIME_SCALE).
int time_scale();
/// A deadline for an operation that must complete: `limit` on this host,
/// scaled by time_scale() elsewhere. (A wait that must time out keeps its
/// own, unscaled bound.)
Deadline within(Clock::duration limit);

}  // namespace cgjob::ktest
