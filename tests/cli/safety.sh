# Never wedge a job, let nobody else block the tools (issue 11, items 1 and
# 3): on the real kernel, on the hierarchy named by CGJOB_TEST_HIERARCHY.
# Items 2 and 4, which need a job that cannot freeze (FUSE), are in
# safety_stuck.sh, which skips visibly where there is no FUSE.
source "$(dirname "$0")/lib.sh"
setup
use_tmpdir safety

alive() { kill -0 "$1" 2>/dev/null; }
dead() { ! kill -0 "$1" 2>/dev/null; }
not_requested() { ! self_requested "$1"; }
file_has() { [ -s "$1" ]; }
# Ends a process we started and the children it started (flock(1) runs its
# command with the lock's fd, so the child holds the lock too).
kill_tree() { kill $(children_of "$1") "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# --- 1. cgkill and rm --kill from inside their own job ----------------------------
# A supervisor script stopping its siblings: the job is never frozen (it would
# freeze cgkill with it), the siblings get the signal, cgkill returns.
# (The supervisor script runs cgkill without timeout(1): timeout, in the job
# too, would pass the signal on to cgkill.)
SCRIPT="trap ':' TERM; sleep 1000 & echo \$! > $TMPD/sib; sleep 1000 &
$CGKILL -v -TERM inside 2> $TMPD/err; echo \$? > $TMPD/rc; wait"
run_in inside bash -c "$SCRIPT"; SUPER=$PID
expect "cgkill inside its own job returns (no wedge)" eventually file_has "$TMPD/rc"
expect "... with status 0" test "$(cat "$TMPD/rc" 2>/dev/null)" = 0
expect "... the job was never frozen (no request left)" not_requested inside
expect "... its siblings got the signal" eventually dead "$(cat "$TMPD/sib")"
expect "... -v says delivery was best effort" grep -q "best effort" "$TMPD/err"
check "thaw from outside still works at once" 0 timeout 5 "$CGFREEZE" thaw --wait inside
kill -KILL "$SUPER" 2>/dev/null

# in_job JOB CMD...: runs CMD moved into JOB first, in the foreground: this
# shell, outside the job, sees its status even when CMD kills the rest.
in_job() { local job=$1; shift; ( echo "$BASHPID" > "$ROOT/$job/cgroup.procs" && exec "$@" ); }
"$CGFREEZE" create inside/sub
run_in inside sleep 1000; SIB=$PID
eventually has_procs inside 1
check "cgkill -9 run from a sub-job of the job: status 0, not killed by itself" 0 \
  in_job inside/sub "$CGKILL" -v -9 inside
expect "... said best effort" grep -q "best effort" <<<"$ERR"
expect "... the other process died" eventually dead "$SIB"
expect "... the job was never frozen" not_requested inside

run_in gone sleep 1000; SIB=$PID
eventually has_procs gone 1
check "rm --kill from inside: status 1, it cannot remove the job it runs in" 1 \
  in_job gone "$CGFREEZE" rm --kill gone
expect "... and says so" grep -q "runs inside it" <<<"$ERR"
expect "... the others were killed" eventually dead "$SIB"
expect "... the job was never frozen" not_requested gone

# --- 3. a lock no other user can hold; lock waits bounded by --timeout --------------
run_in locked sleep 1000
eventually has_procs locked 1
setpriv --reuid=65534 --regid=65534 --clear-groups flock "$ROOT/locked" sleep 30 & LOCKER=$!; track "$LOCKER"
expect "another user holds a flock on the job's directory" eventually holds_lock "$LOCKER" "$ROOT/locked"
check "a user holding flock on the job's directory delays nothing" 0 timeout 10 "$CGFREEZE" --wait --timeout 5 locked
check "... nor thaw" 0 timeout 10 "$CGFREEZE" thaw --wait --timeout 5 locked
check "... nor cgkill" 0 timeout 10 "$CGKILL" -0 locked
kill_tree "$LOCKER"
expect "another user cannot open the lock directory" \
  eval "! setpriv --reuid=65534 --regid=65534 --clear-groups ls '$CGJOB_LOCK_DIR' >/dev/null 2>&1"

# The job's real lock, held by someone else of ours: every tool gives up at --timeout.
LOCKNAME=$(lock_file_name "$ROOT/locked")
flock -x "$CGJOB_LOCK_DIR/$LOCKNAME" sleep 30 & HOLDER=$!; track "$HOLDER"
expect "a run of ours holds the job's lock" eventually holds_lock "$HOLDER" "$CGJOB_LOCK_DIR/$LOCKNAME"
T0=$(date +%s%N)
check "freeze waits for a held lock only until --timeout (124)" 124 timeout 10 "$CGFREEZE" --timeout 0.5 locked
T1=$(date +%s%N)
expect "... within about the timeout" test $(( (T1 - T0) / 1000000 )) -lt "$(scaled 3000)"
expect "... and says a lock was in the way" grep -q "lock" <<<"$ERR"
expect "... nothing was requested" not_requested locked
check "thaw too" 124 timeout 10 "$CGFREEZE" thaw --timeout 0.5 locked
check "cgkill too (its freeze path)" 124 env CGJOB_NO_CGROUP_SIGNAL=1 timeout 10 "$CGKILL" --timeout 0.5 -TERM locked
expect "... and signalled nothing" alive "$PID"
if has_cgroup_signal locked; then
  # Nothing to freeze, so no lock to wait for: the signal goes out at once.
  check "with cgroup.signal, cgkill signals a locked job at once" 0 timeout 10 "$CGKILL" -v --timeout 0.5 -TERM locked
  expect "... through cgroup.signal" grep -q "(cgroup.signal)" <<<"$ERR"
  expect "... and the sleeper got it" eventually dead "$PID"
fi
kill_tree "$HOLDER"
check "with the lock free, freeze works" 0 "$CGFREEZE" --wait --timeout 5 locked
check "thaw" 0 "$CGFREEZE" thaw --wait --timeout 5 locked
