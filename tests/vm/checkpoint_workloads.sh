#!/bin/bash
# cgfreeze checkpoint and restore with the real CRIU: workloads with
# sockets, threads and programs nobody here wrote, and the refusals that
# must change nothing. Beside tests/vm/checkpoint.sh (files, pipes, process
# trees, freeze states), with the same needs: a kernel where `criu check`
# passes (scripts/vm/guest-tests.sh runs it once per hierarchy as
# vm-checkpoint-workloads-v1/-v2). By hand:
#   CGJOB_BUILD_DIR=$PWD/build scripts/vm-run.sh --mode v2 -- env CGJOB_TEST_HIERARCHY=v2 \
#     CGJOB_TEST_TIME_SCALE=10 CGJOB_BIN=$PWD/build/tools bash tests/vm/checkpoint_workloads.sh
# The workloads are python3 programs (helpers/workloads.py) writing one
# number per line at their files' own offsets. Each is written so that a
# wrong restore shows:
#   - two processes joined by a unix socketpair, and two joined by a
#     loopback TCP connection, send each other 1, 2, 3... with data queued
#     both ways when saved: after the restore both files still read 1..N
#     (a byte lost or sent twice from a queue, or a connection not
#     re-established, breaks the sequence or stops it); the TCP one also
#     goes on after a dump that leaves it running;
#   - a process of 5 threads, each writing its own count: every thread
#     comes back and goes on from its own saved count;
#   - python3 -m http.server answers a fetch before the checkpoint, none
#     while it is saved and gone, and the same body after the restore;
#   - python3's sqlite3 in the middle of an open transaction, holding its
#     lock and its journal: after the restore a reader outside still sees
#     the table empty (the lock is back, so the journal is not taken for a
#     crashed one), the writer goes on, and its COMMIT leaves exactly the
#     rows 1..N it inserted;
#   - refusals that leave the job exactly as it was (every process there,
#     its freeze state and request, DIR absent): a stopped task, in a
#     running and in a frozen job (where the v1 freezer shows it as D), and
#     a process that is not in the root's tree; each also once after
#     cgfreeze's first look and before its freeze (held back at the job's
#     lock), refused by its look under the freeze, with DIR already made.
source "$(dirname "$0")/../cli/lib.sh"
setup
use_tmpdir vmworkloads
command -v criu >/dev/null || skip "criu is not installed here"
command -v python3 >/dev/null || skip "python3 is not installed here"
criu check >/dev/null 2>&1 || skip "criu check fails on this kernel: $(criu check 2>&1 | grep Error | tail -1)"
W="$(cd "$(dirname "$0")" && pwd)/helpers/workloads.py"

# Every cgfreeze call is bounded: a hang shows as a failed check, not a stuck guest.
CGF() { timeout -k 5 "$(scaled 12)" "$CGFREEZE" "$@"; }
has_child() { test -n "$(children_of "$1")"; }
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
lines_at_least() { [ "$(lines "$1")" -ge "$2" ]; }
# FILE reads 1, 2, ..., N: nothing lost, nothing twice, no WRONG line.
in_sequence() { awk 'NR != $1 { bad = 1; exit } END { exit bad || NR == 0 }' "$1"; }
# expect_sequence DESC FILE: in_sequence, showing where it broke if not.
expect_sequence() {
  expect "$1" in_sequence "$2"
  in_sequence "$2" || awk 'NR != $1 { print "#   line " NR ": " $0; if (++n == 3) exit }' "$2"
}
gone() { ! kill -0 "$1" 2>/dev/null; }
all_gone() { local p; for p; do gone "$p" || return 1; done; }
in_job() { procs_of "$1" | grep -qx "$2"; }
task_state() { local line s; read -r line < "/proc/$1/stat" && read -r s _ <<<"${line##*) }" && echo "$s"; }
is_stopped() { [ "$(task_state "$1")" = T ]; }
threads_of() { ls "/proc/$1/task" | wc -l; }
# The job's freeze state and its own request, as one word (THAWED/0, FROZEN/1).
freeze_word() { echo "$(kernel_state "$1")/$(self_requested "$1" && echo 1 || echo 0)"; }

echo "# $(date +%T)"
# --- a unix socketpair and a loopback TCP connection, data queued both ways -------------
for kind in unix tcp; do
  job=s$kind
  run_in "$job" python3 "$W" stream "$kind" "$TMPD/$kind"; S0=$PID
  eventually has_child "$S0"
  S1=$(children_of "$S0")
  eventually lines_at_least "$TMPD/$kind.acks" 20
  if [ "$kind" = tcp ]; then
    # CRIU takes the connection out of the kernel (repair mode) and puts it back.
    check "tcp: checkpoint --leave running" 0 CGF checkpoint --leave running "$job" "$TMPD/d-tcp-running"
    N=$(lines "$TMPD/$kind.acks")
    expect "tcp: after a dump that left it running, the connection goes on" \
      eventually lines_at_least "$TMPD/$kind.acks" $((N + 20))
  fi
  # Shown, not asserted (it is a moment before the dump): their queues, Recv-Q and Send-Q.
  ss -Hanp "$([ "$kind" = tcp ] && echo -t || echo -x)" 2>/dev/null | grep -E "pid=($S0|$S1)," | sed 's/^/#   /;s/  */ /g'
  check "$kind: checkpoint two processes talking (--leave killed)" 0 CGF checkpoint --leave killed "$job" "$TMPD/d-$kind"
  expect "$kind: both are gone" eventually all_gone "$S0" "$S1"
  RECV=$(lines "$TMPD/$kind.recv"); ACKS=$(lines "$TMPD/$kind.acks")
  echo "# $kind: saved with $RECV received, $ACKS echoes back"
  check "$kind: restore them" 0 CGF restore --detach "$job" "$TMPD/d-$kind"
  expect "$kind: both are back in the job" eval "in_job $job $S0 && in_job $job $S1"
  expect "$kind: the receiver goes on" eventually lines_at_least "$TMPD/$kind.recv" $((RECV + 50))
  expect "$kind: the echoes go on" eventually lines_at_least "$TMPD/$kind.acks" $((ACKS + 50))
  expect_sequence "$kind: received 1..N, nothing lost or repeated from the queue" "$TMPD/$kind.recv"
  expect_sequence "$kind: echoed 1..N, nothing lost or repeated from the queue" "$TMPD/$kind.acks"
  "$CGFREEZE" rm --kill "$job" >/dev/null || fail "rm $job"
done

echo "# $(date +%T)"
# --- a multi-threaded process: every thread goes on from its own count -------------------
K=4
run_in th python3 "$W" threads "$TMPD/th" "$K"; TH=$PID
for k in $(seq 0 $((K - 1))); do eventually lines_at_least "$TMPD/th.$k" 5; done
expect "threads: $((K + 1)) threads before" test "$(threads_of "$TH")" = $((K + 1))
check "threads: checkpoint (--leave killed)" 0 CGF checkpoint --leave killed th "$TMPD/d-th"
expect "threads: the process is gone" eventually gone "$TH"
declare -A SAVED_T
for k in $(seq 0 $((K - 1))); do SAVED_T[$k]=$(lines "$TMPD/th.$k"); done
check "threads: restore" 0 CGF restore --detach th "$TMPD/d-th"
expect "threads: the process is back with its $((K + 1)) threads" test "$(threads_of "$TH")" = $((K + 1))
for k in $(seq 0 $((K - 1))); do
  expect "threads: thread $k goes on" eventually lines_at_least "$TMPD/th.$k" $((SAVED_T[$k] + 5))
  expect_sequence "threads: thread $k from its own saved count (1..N)" "$TMPD/th.$k"
done
"$CGFREEZE" rm --kill th >/dev/null || fail "rm th"

echo "# $(date +%T)"
# --- python3 -m http.server ---------------------------------------------------------------
mkdir -p "$TMPD/www" && echo "served by $$ at $(date +%s%N)" > "$TMPD/www/page"
PORT=$(python3 "$W" freeport)
URL="http://127.0.0.1:$PORT/page"
served() { python3 "$W" fetch "$URL" 2>/dev/null | cmp -s - "$TMPD/www/page"; }
run_in http python3 -m http.server --bind 127.0.0.1 --directory "$TMPD/www" "$PORT"; H0=$PID
expect "http: the server answers" eventually served
check "http: checkpoint the server (--leave killed)" 0 CGF checkpoint --leave killed http "$TMPD/d-http"
expect "http: it is gone" eventually gone "$H0"
expect "http: nothing answers while it is saved" eval '! python3 "$W" fetch "$URL" >/dev/null 2>&1'
check "http: restore it" 0 CGF restore --detach http "$TMPD/d-http"
expect "http: the restored server is the saved one" test "$OUT" = "$H0"
expect "http: it answers again, with the same page" eventually served
expect "http: and again (its listening socket was not a one-off)" served
"$CGFREEZE" rm --kill http >/dev/null || fail "rm http"

echo "# $(date +%T)"
# --- sqlite3 in an open transaction --------------------------------------------------------
DB=$TMPD/q.db
rows() { python3 "$W" rows "$DB"; }
run_in q python3 "$W" sqlite "$DB" "$TMPD/q" "$TMPD/q.go"; Q0=$PID
eventually lines_at_least "$TMPD/q" 5
expect "sqlite: a reader sees none of the open transaction's rows" test "$(rows)" = "0 None None None"
check "sqlite: checkpoint in the middle of the transaction (--leave killed)" 0 CGF checkpoint --leave killed q "$TMPD/d-q"
expect "sqlite: the writer is gone" eventually gone "$Q0"
# Not read now: with its writer gone, the journal is a crashed one's, and a
# reader would roll it back under the saved writer.
expect "sqlite: its journal is left as it was" test -s "$DB-journal"
SAVED=$(lines "$TMPD/q")
check "sqlite: restore the writer" 0 CGF restore --detach q "$TMPD/d-q"
expect "sqlite: the writer goes on inserting" eventually lines_at_least "$TMPD/q" $((SAVED + 5))
expect "sqlite: a reader still sees none of its rows (its lock is back)" test "$(rows)" = "0 None None None"
expect "sqlite: the journal is still there" test -s "$DB-journal"
touch "$TMPD/q.go"
expect "sqlite: the restored writer commits" eventually grep -q '^committed ' "$TMPD/q.done"
N=$(lines "$TMPD/q")
expect_sequence "sqlite: it inserted 1..N, one by one" "$TMPD/q"
expect "sqlite: it committed the N rows it inserted" grep -qx "committed $N" "$TMPD/q.done"
expect "sqlite: the table holds exactly rows 1..N" test "$(rows)" = "$N 1 $N $((N * (N + 1) / 2))"
expect "sqlite: the database is sound" \
  test "$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$DB")" = ok
expect "sqlite: the journal is gone with the commit" test ! -e "$DB-journal"
"$CGFREEZE" rm --kill q >/dev/null 2>&1

echo "# $(date +%T)"
# --- refusals: nothing changes ------------------------------------------------------------
# unchanged JOB WORD DIR PID...: every PID still in JOB, the job's freeze
# state and request still WORD, DIR absent.
unchanged() {
  local job=$1 word=$2 dir=$3 p; shift 3
  for p; do in_job "$job" "$p" || { echo "# $p is not in $job"; return 1; }; done
  [ "$(freeze_word "$job")" = "$word" ] || { echo "# $job is $(freeze_word "$job"), was $word"; return 1; }
  [ ! -e "$dir" ] || { echo "# $dir exists"; return 1; }
}
# A stopped task: the job's root and a child the test stops.
run_in st bash -c 'sleep 600 & wait'; ST0=$PID
eventually has_child "$ST0"
ST1=$(children_of "$ST0")
kill -STOP "$ST1"
eventually is_stopped "$ST1"
check "stopped: checkpoint of a job with a stopped task is refused" 1 CGF checkpoint st "$TMPD/d-st"
expect "stopped: the refusal names the task" grep -q "stopped.*$ST1" <<<"$ERR"
expect "stopped: nothing changed" unchanged st THAWED/0 "$TMPD/d-st" "$ST0" "$ST1"
expect "stopped: the task is still stopped" is_stopped "$ST1"
"$CGFREEZE" freeze --wait st >/dev/null || fail "freeze st"
check "stopped: ... and of the same job frozen" 1 CGF checkpoint st "$TMPD/d-st"
expect "stopped, frozen: the refusal names the task" grep -q "stopped.*$ST1" <<<"$ERR"
expect "stopped, frozen: nothing changed" unchanged st FROZEN/1 "$TMPD/d-st" "$ST0" "$ST1"
"$CGFREEZE" thaw --wait st >/dev/null || fail "thaw st"
expect "stopped, thawed: the task is still stopped" is_stopped "$ST1"

# A process that is not in the root's tree: one the test started (in a
# subshell: not a job of this shell, whose death it would report), added.
outsider() { sleep 600 >/dev/null 2>&1 & echo $!; }
run_in ft bash -c 'sleep 600 & wait'; FT0=$PID
eventually has_child "$FT0"
FT1=$(children_of "$FT0")
OTHER=$(outsider); track "$OTHER"
"$CGFREEZE" add ft "$OTHER" || fail "add $OTHER to ft"
check "foreign: checkpoint of a job with a process outside the root's tree is refused" 1 CGF checkpoint ft "$TMPD/d-ft"
expect "foreign: the refusal names both trees" eval "grep -q 'root $FT0' <<<\"\$ERR\" && grep -q 'root $OTHER' <<<\"\$ERR\""
expect "foreign: nothing changed" unchanged ft THAWED/0 "$TMPD/d-ft" "$FT0" "$FT1" "$OTHER"
"$CGFREEZE" freeze --wait ft >/dev/null || fail "freeze ft"
check "foreign: ... and of the same job frozen" 1 CGF checkpoint ft "$TMPD/d-ft"
expect "foreign, frozen: nothing changed" unchanged ft FROZEN/1 "$TMPD/d-ft" "$FT0" "$FT1" "$OTHER"
"$CGFREEZE" thaw --wait ft >/dev/null || fail "thaw ft"
"$CGFREEZE" rm --kill ft >/dev/null || fail "rm ft"

# The same two, arising after cgfreeze's first look: its run is held at the
# job's lock (a holder of ours), the task is stopped or the process added
# meanwhile, and the look under the freeze, with DIR made, must refuse.
# late JOB DIR CHANGE...: checkpoint JOB to DIR in the background, held at
# the lock until it has opened it, then CHANGE, then the lock is let go;
# LATE_STATUS and LATE_ERR are its outcome.
late() {
  local job=$1 dir=$2; shift 2
  local lockfile="$CGJOB_LOCK_DIR/$(lock_file_name "$ROOT/$job")"
  rm -f "$TMPD/release"
  flock -x "$lockfile" -c "echo held > $TMPD/held; until [ -e $TMPD/release ]; do sleep 0.05; done" & local holder=$!
  track "$holder"
  eventually test -e "$TMPD/held"
  timeout -k 5 "$(scaled 12)" "$CGFREEZE" checkpoint "$job" "$dir" > /dev/null 2> "$TMPD/late.err" & local run=$!
  track "$run"
  # cgfreeze (the child of timeout) has opened the lock: past its first look.
  opened_lock() {
    local c; c=$(children_of "$run")
    [ -n "$c" ] && ls -l "/proc/$c/fd" 2>/dev/null | grep -q "$lockfile"
  }
  eventually opened_lock
  "$@"
  rm -f "$TMPD/held"; touch "$TMPD/release"
  wait "$holder"
  wait "$run"; LATE_STATUS=$?
  LATE_ERR=$(cat "$TMPD/late.err")
}
run_in lst bash -c 'sleep 600 & wait'; LS0=$PID
eventually has_child "$LS0"
LS1=$(children_of "$LS0")
# Stopped, not merely sent SIGSTOP, before the lock is let go: a stop
# still pending when the job freezes is another case (the task is not
# stopped yet; /proc cannot tell).
stop_task() { kill -STOP "$1" && eventually is_stopped "$1"; }
late lst "$TMPD/d-lst" stop_task "$LS1"
expect "stopped late: refused under the freeze (status $LATE_STATUS)" test "$LATE_STATUS" = 1
expect "stopped late: by the dump's own look, not the first one" grep -q "checkpoint failed, the job is as it was" <<<"$LATE_ERR"
expect "stopped late: the refusal names the task" grep -q "stopped.*$LS1" <<<"$LATE_ERR"
[ "$LATE_STATUS" = 1 ] || echo "# $LATE_ERR"
expect "stopped late: nothing changed, DIR removed" unchanged lst THAWED/0 "$TMPD/d-lst" "$LS0" "$LS1"
expect "stopped late: the task is still stopped" is_stopped "$LS1"

run_in lft bash -c 'sleep 600 & wait'; LF0=$PID
eventually has_child "$LF0"
LF1=$(children_of "$LF0")
LOTHER=$(outsider); track "$LOTHER"
late lft "$TMPD/d-lft" "$CGFREEZE" add lft "$LOTHER"
expect "foreign late: refused under the freeze (status $LATE_STATUS)" test "$LATE_STATUS" = 1
expect "foreign late: by the dump's own look, not the first one" grep -q "checkpoint failed, the job is as it was" <<<"$LATE_ERR"
expect "foreign late: the refusal names both trees" \
  eval "grep -q 'root $LF0' <<<\"\$LATE_ERR\" && grep -q 'root $LOTHER' <<<\"\$LATE_ERR\""
[ "$LATE_STATUS" = 1 ] || echo "# $LATE_ERR"
expect "foreign late: nothing changed, DIR removed" unchanged lft THAWED/0 "$TMPD/d-lft" "$LF0" "$LF1" "$LOTHER"
echo "# $(date +%T)"
