#!/bin/bash
# An interrupted `cgfreeze --wait --timeout`: "FROZEN in time, or as before".
# An interrupt before FROZEN rolls back as the timeout does (thaw back unless
# --keep) and the run ends by that signal (128+N); without --timeout the
# request stays in; a signal the caller left ignored is no interrupt.
source "$(dirname "$0")/lib.sh"
setup
use_tmpdir interrupt
need_stall "$TMPD"

# A job that cannot freeze: one task waits on a FUSE mount that never answers.
run_in stuck sleep 1000
run_in stuck stat "$STALL_MNT/x"
eventually has_procs stuck 2

# interrupt SIGNAL ARGS...: starts cgfreeze ARGS with SIGNAL's default action
# (a script's background job would ignore SIGINT), waits until its request
# is in, sends SIGNAL, and leaves its status in RC.
interrupt() {
  local sig=$1; shift
  env --default-signal=INT,QUIT "$CGFREEZE" "$@" 2>"$TMPD/err" & local pid=$!
  track "$pid"
  eventually self_requested stuck
  eventually state_is stuck FREEZING
  kill "-$sig" "$pid"
  wait "$pid"; RC=$?
}

interrupt INT freeze --wait --timeout "$(scaled 60)" stuck
expect "SIGINT before FROZEN: status 130 (got $RC)" test "$RC" = 130
expect "SIGINT before FROZEN: the job is thawed back" state_is stuck THAWED
expect "SIGINT before FROZEN: no freeze request is left" eval '! self_requested stuck'
expect "SIGINT before FROZEN: it says so" grep -q "^cgfreeze: stuck: thawed back" "$TMPD/err"

interrupt TERM freeze --wait --timeout "$(scaled 60)" stuck
expect "SIGTERM before FROZEN: status 143 (got $RC)" test "$RC" = 143
expect "SIGTERM before FROZEN: the job is thawed back" state_is stuck THAWED

interrupt INT freeze --wait --timeout "$(scaled 60)" --keep stuck
expect "SIGINT with --keep: status 130 (got $RC)" test "$RC" = 130
expect "SIGINT with --keep: the request stays in" self_requested stuck
"$CGFREEZE" thaw stuck

interrupt INT freeze --wait stuck
expect "SIGINT without --timeout: status 130 (got $RC)" test "$RC" = 130
expect "SIGINT without --timeout: the request stays in (the state lives in the kernel)" self_requested stuck
"$CGFREEZE" thaw stuck

# A script's background job ignores SIGINT: no interrupt, the run carries on
# until its timeout (124) and rolls back then.
(trap '' INT; exec "$CGFREEZE" freeze --wait --timeout "$(scaled 2)" stuck 2>/dev/null) & pid=$!
track "$pid"
eventually self_requested stuck
kill -INT "$pid"
quiet_for 0.3
expect "an ignored SIGINT does not end the run" kill -0 "$pid"
wait "$pid"; RC=$?
expect "an ignored SIGINT: the run ends by its timeout (124, got $RC)" test "$RC" = 124
expect "an ignored SIGINT: thawed back at the timeout" state_is stuck THAWED
