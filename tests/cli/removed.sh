#!/bin/bash
# A job removed by someone else in the middle of an operation (issue 12), on
# the hierarchy named by CGJOB_TEST_HIERARCHY: while `cgfreeze freeze --wait`
# waits on a job that cannot freeze (FUSE), while `cgkill
# --wait` waits, while `cgstat --watch` watches. The tool ends with a clear
# message and a documented status, never a crash, and never recreates the job.
# (The deterministic side, each read failing with ENOENT/ENODEV, is in
# tests/unit/fault_injection_test.cpp.)
source "$(dirname "$0")/lib.sh"
setup

use_tmpdir removed

exited() { ! kill -0 "$1" 2>/dev/null; }
gone() { [ ! -d "$ROOT/$1" ]; }
empty() { [ -z "$(procs_of "$1")" ]; }
file_has() { grep -q "$2" "$1" 2>/dev/null; }

# What "someone else" does, directly, without the tools and their locks:
# moves the job's processes out (to the test's root, where they are killed),
# then rmdirs the job. The job's freeze request is never touched, so the tool
# sees the job vanish, not a thaw.
remove_behind_our_back() {
  local d="$ROOT/$1" i p
  for i in $(seq 1 100); do
    for p in $(procs_of "$1"); do echo "$p" > "$ROOT/cgroup.procs" 2>/dev/null; done
    rmdir "$d" 2>/dev/null && break
    sleep 0.05
  done
  # The moved processes: killed where they are now (a FUSE-stuck one dies
  # once the connection is aborted: end_stall).
  for p in $(grep -v '^0$' "$ROOT/cgroup.procs"); do kill -KILL "$p" 2>/dev/null; done
  [ ! -d "$d" ]
}
use_stall "$TMPD"
[ "$STALL" = 1 ] || echo "skip - no FUSE here: the job that cannot freeze is left out"

# Runs TOOL ARGS... in the background with stderr and status to $TMPD/NAME.*
start_tool() {
  local name=$1; shift
  ( "$@" > "$TMPD/$name.out" 2> "$TMPD/$name.err"; echo $? > "$TMPD/$name.rc" ) &
  track $!
}
finished() { [ -s "$TMPD/$1.rc" ]; }
# The tool's end: status in the allowed set, every stderr line one of its own
# naming the job, and the job not recreated.
check_end() {
  local name=$1 job=$2 allowed=$3 tool=$4
  expect "$name: ends (bounded) once the job is gone" eventually finished "$name"
  local rc; rc=$(cat "$TMPD/$name.rc" 2>/dev/null)
  if [[ " $allowed " == *" $rc "* ]]; then pass "$name: status $rc"
  else fail "$name: status '$rc', wanted one of $allowed; stderr: $(cat "$TMPD/$name.err")"; fi
  sed "s/^/# $name (status $(cat "$TMPD/$name.rc" 2>/dev/null)) said: /" "$TMPD/$name.err"
  if [ "$rc" != 0 ]; then
    expect "$name: a message names the job and says it is gone" \
      grep -Eq "^$tool: $job: [^(]*(No such file or directory|No such device|gone|no such job)" "$TMPD/$name.err"
  fi
  expect "$name: no line but the tool's own (no crash, no trace)" \
    bash -c "! grep -qv '^$tool: ' '$TMPD/$name.err'"
  sleep 0.2
  expect "$name: the job is not recreated" gone "$job"
}

# --- 1. freeze --wait on a job that cannot freeze -----------------------------
if [ "$STALL" = 1 ]; then
  run_in stuck sleep 1000
  run_in stuck stat "$STALL_MNT/x"
  eventually has_procs stuck 2
  start_tool fz-stuck "$CGFREEZE" freeze --wait --timeout 30 stuck
  sleep 0.5
  expect "freeze --wait on a stuck job is still waiting" test ! -s "$TMPD/fz-stuck.rc"
  # The stuck task wakes when killed: a fatal signal ends the FUSE wait.
  expect "someone else removes the stuck job" remove_behind_our_back stuck
  # An emptied job is FROZEN at once: the wait may end with 0 in the moment
  # between the move and the rmdir (fault_injection_test.cpp fails each read
  # with ENODEV/ENOENT deterministically instead).
  check_end fz-stuck stuck "0 1 3" cgfreeze
  end_stall
fi

# --- 2. cgkill --wait on a job whose process ignores the signal ----------------
run_in deaf bash -c "trap '' TERM; while :; do sleep 0.1; done"
eventually has_procs deaf 1
sleep 0.2
start_tool kill-wait "$CGKILL" -TERM --wait --timeout 30 deaf
sleep 0.5
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
