#!/bin/bash
# A job removed by someone else in the middle of an operation (issue 12), on
# the hierarchy named by CGJOB_TEST_HIERARCHY: while `cgkill --wait` waits,
# while `cgstat --watch` watches. The tool ends with a clear message and a
# documented status, never a crash, and never recreates the job. (The same
# while `cgfreeze freeze --wait` waits on a job that cannot freeze, which
# needs FUSE, is removed_stuck.sh; the deterministic side, each read failing
# with ENOENT/ENODEV, is in tests/unit/fault_injection_test.cpp.)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/removed.sh"
setup
use_tmpdir removed

# --- 2. cgkill --wait on a job whose process ignores the signal ----------------
run_in deaf bash -c "trap '' TERM; touch $TMPD/deaf.ready; while :; do sleep 0.1; done"
eventually has_procs deaf 1
deaf_ready() { [ -e "$TMPD/deaf.ready" ]; }
expect "the job's process ignores TERM" eventually deaf_ready
start_tool kill-wait "$CGKILL" -TERM --wait --timeout 30 deaf
quiet_for 0.5
expect "cgkill --wait is still waiting" test ! -s "$TMPD/kill-wait.rc"
expect "someone else removes the job cgkill waits on" remove_behind_our_back deaf
# The processes are gone, which is what --wait waited for: 0, or 3 if it says
# the job is gone.
check_end kill-wait deaf "0 3" cgkill

# --- 3. cgstat --watch JOB --------------------------------------------------------
run_in watched sleep 1000
eventually has_procs watched 1
# The watch of a removed JOB goes on (cgstat(1)) until its --timeout.
start_tool watch "$CGSTAT" --watch --timeout "$(scaled 4)" watched
expect "cgstat --watch prints the initial line" eventually file_has "$TMPD/watch.out" "watched"
expect "someone else removes the watched job" remove_behind_our_back watched
expect "cgstat --watch prints a removed line" eventually file_has "$TMPD/watch.out" "removed"
check_end watch watched "0 3" cgstat

# --- 4. cgstat --watch of the whole root --------------------------------------------
run_in other sleep 1000
eventually has_procs other 1
start_tool watch-all "$CGSTAT" --watch --timeout "$(scaled 3)"
expect "cgstat --watch (root) prints the initial line" eventually file_has "$TMPD/watch-all.out" "other"
expect "someone else removes a job of the watched root" remove_behind_our_back other
expect "cgstat --watch (root) prints a removed line for it" eventually file_has "$TMPD/watch-all.out" "other.*removed\|removed.*other"
check_end watch-all other "0" cgstat
