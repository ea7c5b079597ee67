# cgfreeze against the real kernel, on the hierarchy named by CGJOB_TEST_HIERARCHY.
source "$(dirname "$0")/lib.sh"
setup

# --- bad input: documented status, nothing created -------------------------
for bad in ../x a//b cgroup.procs freezer.state .hidden 'a b' /; do
  check "create '$bad' is bad input" 2 "$CGFREEZE" create "$bad"
done
expect "bad names created nothing (not even the root)" test ! -e "$ROOT"
check "--root /etc is refused" 2 "$CGFREEZE" --root /etc create x
check "--hierarchy bogus is refused" 2 "$CGFREEZE" --hierarchy v3 create x
# pid_max+1 is out of range; free_pid names no process, whatever pid_max is.
PID_MAX=$(cat /proc/sys/kernel/pid_max)
for pid in 0 -1 abc "$((PID_MAX + 1))" "$(free_pid)"; do
  check "create --pid $pid is bad input" 2 "$CGFREEZE" create --pid "$pid" withpid
done
check "add to a missing job is 3" 3 "$CGFREEZE" add nojob $$
expect "bad PIDs created nothing" test ! -e "$ROOT"
check "--timeout -1 is bad input" 2 "$CGFREEZE" --wait --timeout -1 x
check "no subcommand and no job is a usage error" 2 "$CGFREEZE"
check "unknown option is a usage error" 2 "$CGFREEZE" freeze --frobnicate x
expect "usage error is one line" test "$(echo "$ERR" | wc -l)" = 1

# --- create -------------------------------------------------------------------
check "create makes jobs and missing parents" 0 "$CGFREEZE" create a batch/42
expect "batch/42 exists" test -d "$ROOT/batch/42"
check "create of an existing job is fine" 0 "$CGFREEZE" create a
check "absolute path to a missing cgroup is not created" 3 "$CGFREEZE" create "/cgjobs-test-missing-$$"
expect "... and nothing appeared" test ! -e "$MOUNT/cgjobs-test-missing-$$"

# --- run ------------------------------------------------------------------------
OUT=$("$CGFREEZE" run r1 -- cat /proc/self/cgroup); rc=$?
expect "run exits with the command's status" test "$rc" = 0
if [ "$HIER" = v2 ]; then line=$(echo "$OUT" | grep '^0::'); else line=$(echo "$OUT" | grep freezer); fi
expect "run starts COMMAND inside the job ($line)" test "${line##*:}" = "${ROOT#$MOUNT}/r1"
check "run passes the exit code on" 7 "$CGFREEZE" run r1 -- sh -c 'exit 7'
check "run reports death by signal N as 128+N" 137 "$CGFREEZE" run r1 -- sh -c 'kill -9 $$'
check "run of a missing command is 127" 127 "$CGFREEZE" run r1 -- /nonexistent/cmd
expect "... with a one-line error" test "$(echo "$ERR" | wc -l)" = 1
check "run without a command is a usage error" 2 "$CGFREEZE" run r1
PID=$("$CGFREEZE" run --detach work -- sleep 1000); track "$PID"
expect "run --detach prints the PID, which is in the job" grep -qx "$PID" "$ROOT/work/cgroup.procs"
# A job emptied with cgkill -9 (cgroup.kill on v2) takes new commands: Linux
# 6.13+ kills every CLONE_INTO_CGROUP child of such a job at birth.
check "cgkill -9 --wait empties the job" 0 "$CGKILL" -9 --wait work
check "run into a job that was killed before runs the command" 7 "$CGFREEZE" run work -- sh -c 'exit 7'
PID=$("$CGFREEZE" run --detach work -- sleep 1000); track "$PID"
expect "... and run --detach leaves it running in the job" eventually grep -qx "$PID" "$ROOT/work/cgroup.procs"

# Signals sent to cgfreeze run reach COMMAND.
MARK=$(mktemp)
start "$CGFREEZE" run fwd -- sh -c "trap 'echo TERM >> $MARK; exit 3' TERM; while :; do sleep 0.01; done"
RUN_PID=$LAST_PID
eventually has_procs fwd 1
sleep 0.1
kill -TERM "$RUN_PID"; wait "$RUN_PID"; rc=$?
expect "SIGTERM to cgfreeze run is passed on (status $rc)" test "$rc" = 3
expect "... and COMMAND got it once" test "$(cat "$MARK")" = TERM
rm -f "$MARK"

# --- freeze / thaw --------------------------------------------------------------
for i in 1 2 3; do PID=$("$CGFREEZE" run --detach busy -- sh -c 'while :; do :; done'); track "$PID"; done
PID=$("$CGFREEZE" run --detach busy -- sh -c 'while :; do sh -c "exit 0"; done'); track "$PID"
check "cgfreeze --wait JOB (default subcommand) freezes" 0 "$CGFREEZE" --wait busy
expect "the kernel shows busy FROZEN" test "$(kernel_state busy)" = FROZEN
check "freezing a FROZEN job succeeds at once" 0 "$CGFREEZE" freeze --wait busy
check "run into a frozen job is refused" 1 "$CGFREEZE" run busy -- true
check "thaw --wait thaws" 0 "$CGFREEZE" thaw --wait busy
expect "the kernel shows busy THAWED" test "$(kernel_state busy)" = THAWED
check "freeze without --wait returns once requested" 0 "$CGFREEZE" busy
eventually state_is busy FROZEN
expect "... and the job gets FROZEN" test "$(kernel_state busy)" = FROZEN
check "thaw without --wait" 0 "$CGFREEZE" thaw busy
expect "busy is THAWED" test "$(kernel_state busy)" = THAWED
check "freezing an empty job succeeds at once" 0 "$CGFREEZE" --wait --timeout 1 a
check "thaw a" 0 "$CGFREEZE" thaw --wait a

check "create a job named like a subcommand" 0 "$CGFREEZE" create thaw
check "'cgfreeze freeze thaw' freezes the job named thaw" 0 "$CGFREEZE" freeze --wait thaw
expect "job 'thaw' is FROZEN" test "$(kernel_state thaw)" = FROZEN
check "'cgfreeze thaw thaw' thaws it" 0 "$CGFREEZE" thaw --wait thaw

check "missing job among several: 3" 3 "$CGFREEZE" --wait nosuch a
expect "... the other one was still frozen" test "$(kernel_state a)" = FROZEN
expect "... and the error names the job" eval '[[ "$ERR" == *"cgfreeze: nosuch: "* ]]'
"$CGFREEZE" thaw --wait a

# Frozen by an ancestor.
PID=$("$CGFREEZE" run --detach batch/42 -- sleep 1000); track "$PID"
check "freeze the parent" 0 "$CGFREEZE" --wait batch
expect "the child is FROZEN too" test "$(kernel_state batch/42)" = FROZEN
check "thaw --wait of the child fails at once, naming the ancestor" 1 "$CGFREEZE" thaw --wait --timeout 5 batch/42
expect "... the message names batch" eval '[[ "$ERR" == *"ancestor batch "* ]]'
check "thaw the parent" 0 "$CGFREEZE" thaw --wait batch
expect "child THAWED" test "$(kernel_state batch/42)" = THAWED

# cgfreeze refuses to freeze its own job.
check "freezing a job that contains cgfreeze is refused" 1 "$CGFREEZE" run selfjob -- "$CGFREEZE" --wait selfjob
expect "... and selfjob is not frozen" test "$(kernel_state selfjob)" = THAWED

# Concurrent requests: the last one wins, nothing is corrupted. Every loop
# ends on the same request, so whatever the interleaving that one is the last.
STORM_ERRS=$(mktemp)
for last in freeze thaw; do
  want=FROZEN; [ "$last" = thaw ] && want=THAWED
  for i in $(seq 1 10); do
    { for k in 1 2 3; do "$CGFREEZE" freeze busy && "$CGFREEZE" thaw busy || echo "$k" >> "$STORM_ERRS"; done
      "$CGFREEZE" "$last" busy || echo last >> "$STORM_ERRS"; } &
  done; wait
  expect "a storm ending in $last: no request failed" test ! -s "$STORM_ERRS"
  if [ "$last" = freeze ]; then expect "... the job asks to be frozen" self_requested busy
  else expect "... the job no longer asks to be frozen" eval '! self_requested busy'; fi
  eventually state_is busy "$want"
  expect "... and it ends $want" state_is busy "$want"
done
rm -f "$STORM_ERRS"
check "after a storm of requests, freeze --wait works" 0 "$CGFREEZE" --wait --timeout 10 busy
check "and thaw --wait works" 0 "$CGFREEZE" thaw --wait --timeout 10 busy

# A freeze requested while cgkill holds the job frozen to signal it is not
# undone by cgkill putting the state back (no lost update): the request
# stands, and the job gets FROZEN.
lost=0 unfrozen=0
for round in 1 2 3 4 5; do
  for i in $(seq 1 8); do "$CGKILL" -CONT busy & done
  "$CGFREEZE" busy
  wait
  self_requested busy || lost=$((lost + 1))
  eventually state_is busy FROZEN || unfrozen=$((unfrozen + 1))
  "$CGFREEZE" thaw --wait busy
done
expect "freeze racing cgkill's freeze-signal-thaw is never lost ($lost of 5 lost)" test "$lost" = 0
expect "... and the job gets FROZEN ($unfrozen of 5 not)" test "$unfrozen" = 0

# --- add ------------------------------------------------------------------------
sleep 1000 & SLEEPER=$!; track "$SLEEPER"
check "add moves a process" 0 "$CGFREEZE" add a "$SLEEPER"
expect "... it is in a" grep -qx "$SLEEPER" "$ROOT/a/cgroup.procs"
check "add with a kernel thread (pid 2) is refused" 2 "$CGFREEZE" add a 2
check "add: malformed PID among good ones: 2" 2 "$CGFREEZE" add batch "$SLEEPER" "$((PID_MAX + 1))"
expect "... nothing moved for a malformed list" grep -qx "$SLEEPER" "$ROOT/a/cgroup.procs"
check "add: missing PID among good ones: 2" 2 "$CGFREEZE" add batch "$SLEEPER" "$(free_pid)"
expect "... the good one moves" grep -qx "$SLEEPER" "$ROOT/batch/cgroup.procs"
check "add --create makes the job" 0 "$CGFREEZE" add --create newjob "$SLEEPER"
expect "... and moves the process" grep -qx "$SLEEPER" "$ROOT/newjob/cgroup.procs"
check "freeze newjob" 0 "$CGFREEZE" --wait newjob
sleep 1000 & S2=$!; track "$S2"
check "add into a frozen job" 0 "$CGFREEZE" add newjob "$S2"
eventually state_is newjob FROZEN
expect "... the job is still FROZEN with the new process" test "$(kernel_state newjob)" = FROZEN
check "thaw newjob" 0 "$CGFREEZE" thaw --wait newjob
sleep 1000 & S3=$!; track "$S3"
check "create --pid moves at creation" 0 "$CGFREEZE" create --pid "$S3" pidjob
expect "... the process is in the new job" grep -qx "$S3" "$ROOT/pidjob/cgroup.procs"

# --- rm -------------------------------------------------------------------------
check "rm of a job with processes is refused" 1 "$CGFREEZE" rm busy
expect "... with the count" eval '[[ "$ERR" =~ "has "[0-9]+" processes (use --kill)" ]]'
expect "... and busy is still there" test -d "$ROOT/busy"
check "rm --kill of a busy job with a fork loop" 0 "$CGFREEZE" rm --kill --timeout 10 busy
expect "busy is gone" test ! -e "$ROOT/busy"
check "freeze newjob again" 0 "$CGFREEZE" --wait newjob
check "rm --kill of a frozen job" 0 "$CGFREEZE" rm --kill --timeout 10 newjob
expect "newjob is gone" test ! -e "$ROOT/newjob"
check "freeze an empty job" 0 "$CGFREEZE" freeze --wait thaw
check "rm of a frozen empty job" 0 "$CGFREEZE" rm thaw
check "rm of a missing job is 3" 3 "$CGFREEZE" rm thaw
check "rm --kill removes sub-jobs deepest first" 0 "$CGFREEZE" rm --kill batch
expect "batch is gone" test ! -e "$ROOT/batch"
