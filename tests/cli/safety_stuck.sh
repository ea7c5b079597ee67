# Never lose a request (issue 11, items 2 and 4), with a job that cannot
# freeze: on the real kernel, on the hierarchy named by CGJOB_TEST_HIERARCHY.
# The job is made with a FUSE mount that never answers
# (helpers/fuse_stall.py): a task touching it blocks in the kernel, so its job
# stays FREEZING for as long as the mount lives. Without FUSE this test is
# skipped (exit 77, the reason on stderr); the rest of issue 11 is safety.sh.
source "$(dirname "$0")/lib.sh"
setup
use_tmpdir safety-stuck
need_stall "$TMPD"

not_requested() { ! self_requested "$1"; }
exited() { ! kill -0 "$1" 2>/dev/null; }
# The run PID holds no lock on JOB: its request is in, and it waits (a wait
# for the kernel holds no lock: lib/freezer/job_lock.h).
lock_released() { ! holds_lock "$1" "$CGJOB_LOCK_DIR/$(lock_file_name "$ROOT/$2")"; }

# A job that stays FREEZING: a sleeper, and a task stuck on the stalled mount.
run_in stuck sleep 1000
run_in stuck stat "$STALL_MNT/x"
eventually has_procs stuck 2
expect "a task of the job waits on the stalled mount" eventually stuck_on_stall "$PID"

# --- 2. cgkill interrupted while it holds the job frozen -------------------------
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
# (A script's `&` starts its command with SIGINT ignored, which is no
# interrupt for the tools: env gives it back its default action, as a
# terminal's Ctrl-C would find it. interrupts.sh tests the ignored case.)
for sig in INT TERM HUP; do
  CGJOB_NO_CGROUP_SIGNAL=1 env --default-signal=INT,QUIT "$CGKILL" -TERM stuck 2>/dev/null & KILLER=$!
  expect "cgkill holds the job frozen while it signals (SIG$sig test)" eventually self_requested stuck
  kill -s "$sig" "$KILLER"
  expect "cgkill interrupted by SIG$sig ends" eventually exited "$KILLER"
  wait "$KILLER" 2>/dev/null
  expect "... after putting the freeze state back" not_requested stuck
done

# --- 4. a request reversed or superseded by another run -------------------------------
"$CGFREEZE" --wait stuck 2>"$TMPD/err" & WAITER=$!
expect "freeze --wait makes its request" eventually self_requested stuck
expect "... and waits, holding no lock" eventually lock_released "$WAITER" stuck
check "another run thaws the job" 0 "$CGFREEZE" thaw stuck
expect "freeze --wait without --timeout notices and ends" eventually exited "$WAITER"
wait "$WAITER"; expect "... with status 1" test $? = 1
expect "... saying another run asked to thaw it" grep -q "another run asked to thaw" "$TMPD/err"

"$CGFREEZE" --wait --timeout "$(scaled_s 1.5)" stuck 2>"$TMPD/err" & WAITER=$!
expect "freeze --wait --timeout makes its request" eventually self_requested stuck
expect "... and waits, holding no lock" eventually lock_released "$WAITER" stuck
check "another run asks for the same freeze meanwhile" 0 "$CGFREEZE" stuck
wait "$WAITER"; expect "the first run times out (124)" test $? = 124
expect "... and does not thaw back what the other asked for" self_requested stuck
expect "... and says so" grep -q "not thawed back" "$TMPD/err"
check "thaw" 0 "$CGFREEZE" thaw stuck
