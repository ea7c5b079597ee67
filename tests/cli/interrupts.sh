# How cgkill is started, stopped or killed never leaves a job frozen
# (cgkill(1) NOTES): a signal the caller left ignored is no interrupt, a
# cgkill killed outright leaves a record that the next run puts back, and a
# stop (SIGTSTP) puts the state back before cgkill stops. On the real kernel,
# on the hierarchy named by CGJOB_TEST_HIERARCHY, with a job that cannot
# freeze, so that cgkill holds it for as long as a check needs: a FUSE mount
# that never answers (helpers/fuse_stall.py). Without FUSE: skipped (77).
source "$(dirname "$0")/lib.sh"
setup
use_tmpdir interrupts
need_stall "$TMPD"
# The freeze path, where the kernel has cgroup.signal too (it freezes nothing).
export CGJOB_NO_CGROUP_SIGNAL=1

not_requested() { ! self_requested "$1"; }
exited() { ! kill -0 "$1" 2>/dev/null; }
stopped() { [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = T ]; }
got_usr1() { [ -s "$TMPD/usr1" ]; }
# A run holds JOB in a state nobody asked for: its lock file records the hold.
holding() { grep -q '^hold ' "$CGJOB_LOCK_DIR/$(lock_file_name "$ROOT/$1")" 2>/dev/null; }
# cgstat --json's held_by_dead_run of JOB.
held_by_dead_run() {
  "$CGSTAT" --json "$1" | python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin)["jobs"][0]["held_by_dead_run"] else 1)'
}

# A job that stays FREEZING: a task stuck on the stalled mount, and one that
# notes a SIGUSR1 (its trap runs once the job is thawed).
run_in stuck sh -c 'trap "echo usr1 > $0" USR1; while :; do sleep 0.05; done' "$TMPD/usr1"
run_in stuck stat "$STALL_MNT/x"
expect "a task of the job waits on the stalled mount" eventually stuck_on_stall "$PID"

# --- 1. an ignored SIGINT is no interrupt ----------------------------------------
# (As a script's `&` starts it, and env --ignore-signal whatever the shell.)
env --ignore-signal=INT "$CGKILL" --timeout "$(scaled_s 3)" -USR1 stuck 2>/dev/null & KILLER=$!
expect "cgkill (SIGINT ignored) holds the job frozen" eventually self_requested stuck
kill -INT "$KILLER"
expect "... SIGINT does not end it: it finishes" eventually exited "$KILLER"
wait "$KILLER"; expect "... with status 0" test $? = 0
expect "... having signalled the job (SIGUSR1 arrived)" eventually got_usr1
expect "... and puts the freeze state back" not_requested stuck
rm -f "$TMPD/usr1"

# The same for SIGHUP ignored (nohup).
nohup "$CGKILL" --timeout "$(scaled_s 3)" -USR1 stuck >/dev/null 2>&1 & KILLER=$!
expect "cgkill under nohup holds the job frozen" eventually self_requested stuck
kill -HUP "$KILLER"
wait "$KILLER"; expect "... SIGHUP does not end it: status 0" test $? = 0
expect "... the job got the signal" eventually got_usr1
expect "... and the freeze state is back" not_requested stuck
rm -f "$TMPD/usr1"

# --- 2. cgkill killed outright ----------------------------------------------------
"$CGKILL" --timeout "$(scaled 10)" -USR1 stuck 2>/dev/null & KILLER=$!
expect "cgkill holds the job frozen" eventually self_requested stuck
kill -KILL "$KILLER"; wait "$KILLER" 2>/dev/null
expect "SIGKILL leaves the job's freeze request in" self_requested stuck
expect "cgstat shows the job held by a dead run" held_by_dead_run stuck
check "cgstat's table says so on stderr, status 0" 0 "$CGSTAT" stuck
expect "... naming the dead run" grep -q "held frozen by a run that died (pid $KILLER)" <<<"$ERR"
check "the next cgkill -CONT succeeds" 0 "$CGKILL" --timeout "$(scaled_s 3)" -CONT stuck
expect "... and has put back the state nobody asked for: thawed" not_requested stuck
expect "... the record is gone" eval '! held_by_dead_run stuck'

# What the dead run puts back is the state of the last request: frozen here.
check "freeze the job (it stays FREEZING)" 0 "$CGFREEZE" stuck
"$CGKILL" --timeout "$(scaled 10)" -USR1 stuck 2>/dev/null & KILLER=$!
expect "cgkill holds the frozen job" eventually holding stuck
kill -KILL "$KILLER"; wait "$KILLER" 2>/dev/null
check "a cgfreeze thaw after it works" 0 "$CGFREEZE" thaw stuck
expect "... and the job is thawed" not_requested stuck
check "freeze it again" 0 "$CGFREEZE" stuck
"$CGKILL" --timeout "$(scaled 10)" -USR1 stuck 2>/dev/null & KILLER=$!
expect "cgkill holds the frozen job again" eventually holding stuck
kill -KILL "$KILLER"; wait "$KILLER" 2>/dev/null
check "cgfreeze (freeze again) puts back the dead run's state" 0 "$CGFREEZE" stuck
expect "... which was frozen, the last request" self_requested stuck
check "thaw" 0 "$CGFREEZE" thaw stuck

# --- 3. cgkill stopped (Ctrl-Z) ---------------------------------------------------
# Job control, so that cgkill runs in a process group of its own whose
# parent (this shell) is in the same session: a terminal's Ctrl-Z. (In an
# orphaned process group the kernel discards SIGTSTP.)
set -m
"$CGKILL" --timeout "$(scaled 20)" -USR1 stuck 2>/dev/null & KILLER=$!
set +m
expect "cgkill holds the job frozen" eventually self_requested stuck
kill -TSTP "$KILLER"
expect "SIGTSTP stops cgkill" eventually stopped "$KILLER"
expect "... after it put the freeze state back" not_requested stuck
check "while it is stopped, another run is not blocked by it" 0 timeout "$(scaled 3)" "$CGFREEZE" thaw stuck
expect "... and no signal went out yet" eval '! got_usr1'
kill -CONT "$KILLER"
# (It freezes the job again and waits for it as before: up to 8 s for a job
# that cannot freeze, within its --timeout.)
wait "$KILLER"; expect "after SIGCONT it goes on and finishes with status 0" test $? = 0
expect "... having signalled the job" eventually got_usr1
expect "... and put the state back again" not_requested stuck
