#!/bin/bash
# cgfreeze checkpoint and restore with the real CRIU, on real workloads
# (issue 22). Needs a kernel where `criu check` passes: the project's 6.1
# guests (scripts/vm/guest-tests.sh runs it once per hierarchy as
# vm-checkpoint-v1/-v2); not a host test (tests/cli/checkpoint.sh is). By hand:
#   CGJOB_BUILD_DIR=$PWD/build scripts/vm-run.sh --mode v2 -- \
#     env CGJOB_TEST_HIERARCHY=v2 CGJOB_BIN=$PWD/build/tools bash tests/vm/checkpoint.sh
# Each workload is written so that a wrong restore shows:
#   - a counter writing 1, 2, 3... to a file at its own offset continues
#     from the saved count: the file reads 1..N with no gap and no repeat;
#   - a job saved frozen comes back FROZEN, and the counter writes nothing
#     between the restore and the thaw (it ran no instruction);
#   - a pipeline producer | filter | consumer with data in its pipes loses
#     and repeats nothing;
#   - a three-level process tree over a job and a sub-job comes back with
#     each process in its sub-job;
#   - --leave running and --leave frozen; a restore whose PIDs are taken
#     (the job still runs) and one into a job with processes are refused,
#     changing nothing.
# Sockets (unix, TCP), threads, programs nobody here wrote (http.server,
# sqlite3) and the checkpoints refused: tests/vm/checkpoint_workloads.sh.
source "$(dirname "$0")/../cli/lib.sh"
setup
use_tmpdir vmcheckpoint
command -v criu >/dev/null || skip "criu is not installed here"
criu check >/dev/null 2>&1 || skip "criu check fails on this kernel: $(criu check 2>&1 | grep Error | tail -1)"

# Every cgfreeze call is bounded: a hang shows as a failed check, not a stuck guest.
CGF() { timeout -k 5 "$(scaled 12)" "$CGFREEZE" "$@"; }
has_child() { test -n "$(children_of "$1")"; }
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
lines_at_least() { [ "$(lines "$1")" -ge "$2" ]; }
# FILE reads 1, 2, ..., N: nothing lost, nothing twice.
in_sequence() { awk 'NR != $1 { bad = 1; exit } END { exit bad || NR == 0 }' "$1"; }
gone() { ! kill -0 "$1" 2>/dev/null; }
all_gone() { local p; for p; do gone "$p" || return 1; done; }
# A counter that writes 1, 2, 3... to FILE at its own file offset (not O_APPEND).
counter() { echo "exec 3>$1; i=0; while :; do i=\$((i + 1)); echo \$i >&3; sleep 0.02; done"; }

echo "# $(date +%T)"
# --- a counter continues from the saved count, at the saved offset ----------------
run_in c1 bash -c "$(counter "$TMPD/c1")"; C1=$PID
eventually lines_at_least "$TMPD/c1" 5
check "checkpoint a running counter (--leave killed)" 0 CGF -v checkpoint --leave killed c1 "$TMPD/d1"
expect "its processes are gone" eventually gone "$C1"
expect "the job is empty" test "$(nprocs c1)" = 0
expect "the manifest says THAWED" grep -q '"state": "THAWED"' "$TMPD/d1/cgjob.json"
SAVED=$(lines "$TMPD/c1")
check "restore it" 0 CGF -v restore --detach c1 "$TMPD/d1"
expect "restore prints the root PID, the saved one" test "$OUT" = "$C1"
expect "the root is back in the job" eval "procs_of c1 | grep -qx $C1"
expect "the job runs" state_is c1 THAWED
expect "the counter goes on after the restore" eventually lines_at_least "$TMPD/c1" $((SAVED + 5))
expect "it went on from the saved count, at the saved offset (1..N, no gap, no repeat)" in_sequence "$TMPD/c1"
"$CGFREEZE" rm --kill c1 >/dev/null || fail "rm c1"

echo "# $(date +%T)"
# --- frozen: it comes back FROZEN and runs nothing before the thaw -------------------
run_in c2 bash -c "$(counter "$TMPD/c2")"; C2=$PID
eventually lines_at_least "$TMPD/c2" 5
"$CGFREEZE" freeze --wait c2 || fail "freeze c2"
check "checkpoint a frozen job (--leave killed)" 0 CGF checkpoint --leave killed c2 "$TMPD/d2"
expect "the manifest says FROZEN" grep -q '"state": "FROZEN"' "$TMPD/d2/cgjob.json"
expect "its processes are gone" eventually gone "$C2"
expect "the job keeps its freeze request (empty)" self_requested c2
SAVED=$(lines "$TMPD/c2")
"$CGFREEZE" thaw --wait c2 >/dev/null  # as a fresh job would be: restore freezes it itself
check "restore the frozen job" 0 CGF restore --detach c2 "$TMPD/d2"
expect "it is back FROZEN" state_is c2 FROZEN
expect "with its own freeze request" self_requested c2
quiet_for 1
expect "the counter wrote nothing between the restore and the thaw" test "$(lines "$TMPD/c2")" = "$SAVED"
"$CGFREEZE" thaw --wait c2 || fail "thaw c2"
expect "after the thaw it goes on" eventually lines_at_least "$TMPD/c2" $((SAVED + 5))
expect "from the saved count (1..N)" in_sequence "$TMPD/c2"
# --thawed overrides the saved state.
check "checkpoint it again, frozen" 0 CGF checkpoint --leave killed c2 "$TMPD/d2b"
expect "its processes are gone" eventually all_gone $(procs_of c2) "$C2"
check "restore --thawed" 0 CGF restore --thawed --detach c2 "$TMPD/d2b"
expect "restore --thawed: the job runs" state_is c2 THAWED
SAVED=$(lines "$TMPD/c2")
expect "restore --thawed: the counter goes on" eventually lines_at_least "$TMPD/c2" $((SAVED + 3))
"$CGFREEZE" rm --kill c2 >/dev/null || fail "rm c2"

echo "# $(date +%T)"
# --- --leave running and --leave frozen; taken PIDs; a job with processes ----------------
run_in c3 bash -c "$(counter "$TMPD/c3")"; C3=$PID
eventually lines_at_least "$TMPD/c3" 5
check "checkpoint --leave running" 0 CGF -v checkpoint c3 "$TMPD/d3"
expect "-v says how long it was frozen" grep -q 'frozen for' <<<"$ERR"
expect "the job still runs, thawed" state_is c3 THAWED
expect "no freeze request left" eval '! self_requested c3'
N=$(lines "$TMPD/c3")
expect "the counter goes on" eventually lines_at_least "$TMPD/c3" $((N + 3))
check "restore while the saved PIDs are taken is refused" 1 CGF restore c3copy "$TMPD/d3"
expect "the refusal names the PID" grep -q "$C3" <<<"$ERR"
expect "no cgroup made" test ! -e "$ROOT/c3copy"
check "restore into a job that has processes is refused" 1 CGF restore c3 "$TMPD/d3"
expect "the job is untouched" eval "state_is c3 THAWED && procs_of c3 | grep -qx $C3"
check "checkpoint --leave frozen of a running job" 0 CGF checkpoint --leave frozen c3 "$TMPD/d3b"
expect "the job is left FROZEN" state_is c3 FROZEN
expect "as its own request" self_requested c3
"$CGFREEZE" rm --kill c3 >/dev/null || fail "rm c3"

echo "# $(date +%T)"
# --- a pipeline with data in its pipes ------------------------------------------------
# producer | filter | consumer; the consumer reads slowly, so the pipes hold
# data when it is saved. The output must read 1..N.
run_in p1 bash -c "i=0; while :; do i=\$((i + 1)); echo \$i; done | cat | (exec 3>$TMPD/p1; while read -r l; do echo \$l >&3; sleep 0.01; done)"; P1=$PID
eventually lines_at_least "$TMPD/p1" 20
check "checkpoint a pipeline (--leave killed)" 0 CGF checkpoint --leave killed p1 "$TMPD/d4"
expect "its processes are gone" eventually gone "$P1"
SAVED=$(lines "$TMPD/p1")
check "restore the pipeline" 0 CGF restore --detach p1 "$TMPD/d4"
expect "the pipeline goes on" eventually lines_at_least "$TMPD/p1" $((SAVED + 100))
expect "nothing lost or repeated from its pipes (1..N)" in_sequence "$TMPD/p1"
"$CGFREEZE" rm --kill p1 >/dev/null || fail "rm p1"

echo "# $(date +%T)"
# --- a three-level tree over a job and a sub-job ---------------------------------------
# root bash (job t) -> bash (t/sub) -> counter bash (t/sub/leaf)
run_in t bash -c "bash -c '$(counter "$TMPD/t") & wait' & wait"; T0=$PID
eventually has_child "$T0"
T1=$(children_of "$T0")
eventually has_child "$T1"
T2=$(children_of "$T1")
"$CGFREEZE" add --create t/sub "$T1" && "$CGFREEZE" add --create t/sub/leaf "$T2" || fail "make the tree"
eventually lines_at_least "$TMPD/t" 5
"$CGFREEZE" freeze --wait t/sub || fail "freeze t/sub"
check "checkpoint a tree over a job and sub-jobs (--leave killed)" 0 CGF checkpoint --leave killed t "$TMPD/d5"
expect "its processes are gone" eventually all_gone "$T0" "$T1" "$T2"
SAVED=$(lines "$TMPD/t")
"$CGFREEZE" rm t >/dev/null || fail "rm t"
check "restore the tree into a job that no longer exists" 0 CGF restore --detach t "$TMPD/d5"
expect "the root is in t" eval "procs_of t | grep -qx $T0"
expect "the middle is in t/sub" eval "procs_of t/sub | grep -qx $T1"
expect "the leaf is in t/sub/leaf" eval "procs_of t/sub/leaf | grep -qx $T2"
expect "t/sub comes back frozen (its own request)" eval "state_is t/sub FROZEN && self_requested t/sub"
expect "t itself runs" eval "! self_requested t"
quiet_for 0.5
expect "the leaf (under the frozen sub-job) wrote nothing" test "$(lines "$TMPD/t")" = "$SAVED"
"$CGFREEZE" thaw --wait t/sub || fail "thaw t/sub"
expect "after the thaw the leaf goes on" eventually lines_at_least "$TMPD/t" $((SAVED + 3))
expect "from the saved count (1..N)" in_sequence "$TMPD/t"
"$CGFREEZE" rm --kill t >/dev/null || fail "rm t"

echo "# $(date +%T)"
# --- the foreground restore waits for the root and exits with its status ----------------
# It exits 7 once $TMPD/go exists, made between the dump and the restore.
run_in f bash -c "echo waiting > $TMPD/f; until [ -e $TMPD/go ]; do sleep 0.05; done; exit 7"; F0=$PID
eventually lines_at_least "$TMPD/f" 1
check "checkpoint a job that will exit 7 (--leave killed)" 0 CGF checkpoint --leave killed f "$TMPD/d6"
expect "its processes are gone" eventually gone "$F0"
touch "$TMPD/go"
check "a foreground restore exits with the root's status" 7 CGF restore f "$TMPD/d6"
