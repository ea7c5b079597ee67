# Never wedge a job, never lose a request, let nobody else block the tools
# (issue 11, items 1-4): on the real kernel, on the hierarchy named by
# CGJOB_TEST_HIERARCHY. Jobs that cannot freeze are made with a FUSE mount
# that never answers (helpers/fuse_stall.py): a task touching it blocks in the
# kernel, so its job stays FREEZING for as long as the mount lives.
source "$(dirname "$0")/lib.sh"
setup
use_tmpdir safety

alive() { kill -0 "$1" 2>/dev/null; }
dead() { ! kill -0 "$1" 2>/dev/null; }
not_requested() { ! self_requested "$1"; }
exited() { ! kill -0 "$1" 2>/dev/null; }
file_has() { [ -s "$1" ]; }
# Ends a process we started and the children it started (flock(1) runs its
# command with the lock's fd, so the child holds the lock too).
kill_tree() { kill $(children_of "$1") "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# A job that stays FREEZING: a sleeper, and a task stuck on the stalled mount.
# (The supervisor scripts below run cgkill without timeout(1): timeout, in
# the job too, would pass the signal on to cgkill.)
use_stall "$TMPD"
[ "$STALL" = 1 ] || echo "skip - no FUSE here: the checks of a job that cannot freeze do not run"
stuck_job() {  # JOB: a job with a sleeper and a task blocked on the stalled mount
  run_in "$1" sleep 1000
  run_in "$1" stat "$STALL_MNT/x"
  eventually has_procs "$1" 2
}

# --- 1. cgkill and rm --kill from inside their own job ----------------------------
# A supervisor script stopping its siblings: the job is never frozen (it would
# freeze cgkill with it), the siblings get the signal, cgkill returns.
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
sleep 0.2
check "a user holding flock on the job's directory delays nothing" 0 timeout 10 "$CGFREEZE" --wait --timeout 5 locked
check "... nor thaw" 0 timeout 10 "$CGFREEZE" thaw --wait --timeout 5 locked
check "... nor cgkill" 0 timeout 10 "$CGKILL" -0 locked
kill_tree "$LOCKER"
expect "another user cannot open the lock directory" \
  eval "! setpriv --reuid=65534 --regid=65534 --clear-groups ls '$CGJOB_LOCK_DIR' >/dev/null 2>&1"

# The job's real lock, held by someone else of ours: every tool gives up at --timeout.
LOCKNAME=$(python3 -c '
import sys
h = 14695981039346656037
for c in sys.argv[1].encode():
    h = ((h ^ c) * 1099511628211) % (1 << 64)
print("%016x.lock" % h)' "$ROOT/locked")
flock -x "$CGJOB_LOCK_DIR/$LOCKNAME" sleep 30 & HOLDER=$!; track "$HOLDER"
sleep 0.2
T0=$(date +%s%N)
check "freeze waits for a held lock only until --timeout (124)" 124 timeout 10 "$CGFREEZE" --timeout 0.5 locked
T1=$(date +%s%N)
expect "... within about the timeout" test $(( (T1 - T0) / 1000000 )) -lt 3000
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

if [ "$STALL" = 1 ]; then
  # --- 2. cgkill interrupted while it holds the job frozen -------------------------
  stuck_job stuck
  if has_cgroup_signal stuck; then
    # A task that cannot freeze delays nothing when nothing is frozen (the
    # freeze path would wait 2 s for FROZEN, then 3 times more).
    check "with cgroup.signal, cgkill signals a job that cannot freeze at once" 0 \
      timeout 5 "$CGKILL" -v -CONT stuck
    expect "... through cgroup.signal" grep -q "(cgroup.signal)" <<<"$ERR"
    expect "... and never asked to freeze it" not_requested stuck
  fi
  # The freeze path signals a job that does not freeze in time anyway, says
  # that a fork may have missed the signal, and thaws it back.
  check "cgkill signals a job that cannot freeze after waiting for the freeze" 0 \
    env CGJOB_NO_CGROUP_SIGNAL=1 "$CGKILL" -v --timeout 3 -CONT stuck
  expect "... says the job did not freeze in time" grep -q "did not freeze in time" <<<"$ERR"
  expect "... names the mechanism (pidfds, not frozen)" grep -q "(pidfds, not frozen)" <<<"$ERR"
  expect "... and thaws it back" not_requested stuck
  # The freeze path (the only one without cgroup.signal) must put the freeze
  # state back when interrupted.
  for sig in INT TERM HUP; do
    CGJOB_NO_CGROUP_SIGNAL=1 "$CGKILL" -TERM stuck 2>/dev/null & KILLER=$!
    expect "cgkill holds the job frozen while it signals (SIG$sig test)" eventually self_requested stuck
    kill -s "$sig" "$KILLER"
    expect "cgkill interrupted by SIG$sig ends" eventually exited "$KILLER"
    wait "$KILLER" 2>/dev/null
    expect "... after putting the freeze state back" not_requested stuck
  done

  # --- 4. a request reversed or superseded by another run -------------------------------
  "$CGFREEZE" --wait stuck 2>"$TMPD/err" & WAITER=$!
  eventually self_requested stuck
  sleep 0.1
  check "another run thaws the job" 0 "$CGFREEZE" thaw stuck
  expect "freeze --wait without --timeout notices and ends" eventually exited "$WAITER"
  wait "$WAITER"; expect "... with status 1" test $? = 1
  expect "... saying another run asked to thaw it" grep -q "another run asked to thaw" "$TMPD/err"

  "$CGFREEZE" --wait --timeout 1.5 stuck 2>"$TMPD/err" & WAITER=$!
  eventually self_requested stuck
  sleep 0.2
  check "another run asks for the same freeze meanwhile" 0 "$CGFREEZE" stuck
  wait "$WAITER"; expect "the first run times out (124)" test $? = 124
  expect "... and does not thaw back what the other asked for" self_requested stuck
  expect "... and says so" grep -q "not thawed back" "$TMPD/err"
  check "thaw" 0 "$CGFREEZE" thaw stuck
fi
