# cgkill against the real kernel, on the hierarchy named by CGJOB_TEST_HIERARCHY.
# Processes are started with `cgfreeze run --detach` inside this run's own
# job root and tracked by PID; lib.sh's cleanup thaws and kills what is left
# in the root and removes it, also when a check fails.
source "$(dirname "$0")/lib.sh"
setup
use_tmpdir cgkill

# Starts COMMAND... detached in JOB (created if needed); sets $PID.
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
alive() { kill -0 "$1" 2>/dev/null; }
is_sleep() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ]; }
# Conditions for `eventually`: they read the kernel each time they are tried
# (an argument like "$(nprocs job)" would be read once, before the first try).
procs_at_least() { [ "$(nprocs "$1")" -ge "$2" ]; }
procs_are() { local want=$1 got="" j; shift; for j; do got+=$(nprocs "$j"); done; [ "$got" = "$want" ]; }
lines_at_least() { [ "$(lines "$1")" -ge "$2" ]; }
# A shell that appends a line to FILE for every SIGNAL (a number) it gets.
counting() { echo "trap 'echo got >> $1' $2; while :; do sleep 0.05; done"; }
TERM_NUM=$("$CGKILL" -l TERM)

# --- -l: names and numbers ---------------------------------------------------------
check "-l lists the signals" 0 "$CGKILL" -l
expect "-l prints one NAME<TAB>NUMBER line per signal (TERM)" grep -qx $'TERM\t15' <<<"$OUT"
TAB=$'\t'
for want in "KILL${TAB}9" "HUP${TAB}1" "RTMIN${TAB}$(kill -l RTMIN)" "RTMAX${TAB}$(kill -l RTMAX)"; do
  expect "-l lists '$want'" grep -qx "$want" <<<"$OUT"
done
expect "-l: every line is NAME<TAB>NUMBER, names without SIG in upper case" \
  eval '! grep -qvE "^[A-Z][A-Z0-9+-]*${TAB}[0-9]+$" <<<"$OUT"'
expect "-l: the names are unique" test "$(cut -f1 <<<"$OUT" | sort | uniq -d)" = ""
check "-l 15" 0 "$CGKILL" -l 15
expect "-l 15 prints TERM" test "$OUT" = TERM
check "-l TERM" 0 "$CGKILL" -l TERM
expect "-l TERM prints 15" test "$OUT" = 15
check "--list sigkill" 0 "$CGKILL" --list sigkill
expect "--list sigkill prints 9" test "$OUT" = 9
check "-l 137 (an exit status)" 0 "$CGKILL" -l 137
expect "-l 137 prints KILL" test "$OUT" = KILL
expect "-l RTMIN+3 agrees with bash's kill -l" test "$("$CGKILL" -l RTMIN+3)" = "$(kill -l RTMIN+3)"
check "-l FOO is bad input" 2 "$CGKILL" -l FOO
check "-l needs no job root (--root /etc is not even looked at)" 0 "$CGKILL" --root /etc -l 9

# --- bad input: exit 2, nothing sent ------------------------------------------------------
run_in victim sleep 1000; VICTIM=$PID
eventually procs_are 1 victim
for bad in "-s FOO" "-s 999" "-n -3" "-n 65" "-n TERM" "-FOO" "-65" "-s 32" "-s RTMIN+99" \
           "--timeout -1" "--timeout abc" "--escalate 5x" "-9 -15" "-s 9 -n 9" "-0 --wait" "--frobnicate"; do
  # shellcheck disable=SC2086
  check "cgkill $bad victim is bad usage" 2 "$CGKILL" $bad victim
done
expect "usage errors are one line" test "$(echo "$ERR" | wc -l)" = 1
check "an invalid JOB among valid ones: 2 before anything is sent" 2 "$CGKILL" -9 victim ../x
check "a control-file JOB name is invalid" 2 "$CGKILL" -9 victim cgroup.procs
check "-SIGNAL after the first JOB is no signal" 2 "$CGKILL" victim -9
check "no JOB is a usage error" 2 "$CGKILL" -9
expect "after all the bad input the victim still lives" alive "$VICTIM"
expect "... in its job" test "$(nprocs victim)" = 1

# --- missing jobs, several jobs ------------------------------------------------------------
check "a missing job is 3" 3 "$CGKILL" nosuch
expect "... and the error names the job" eval '[[ "$ERR" == "cgkill: nosuch: "* ]]'
check "-9 on a missing job is 3" 3 "$CGKILL" -9 --wait nosuch
check "-0 on a missing job is 3" 3 "$CGKILL" -0 nosuch

# --- -0: a probe ---------------------------------------------------------------------------------
"$CGFREEZE" create empty
check "-0 on a job with processes is 0" 0 "$CGKILL" -0 victim
check "-0 on an empty job is 1" 1 "$CGKILL" -0 empty
check "-0 -q on an empty job prints nothing" 1 "$CGKILL" -0 -q empty
expect "... nothing at all" test -z "$ERR$OUT"
check "-0 with an empty and a full job is 1" 1 "$CGKILL" -0 victim empty
check "-0 by absolute path" 0 "$CGKILL" -0 "${ROOT#"$MOUNT"}/victim"
expect "-0 sent nothing: the victim lives" alive "$VICTIM"

# --- an empty job --------------------------------------------------------------------------------
check "signalling an empty job succeeds" 0 "$CGKILL" -v empty
expect "-v says 0 processes were signalled ($ERR)" eval '[[ "$ERR" == *"sent TERM to 0 processes"* ]]'
check "-9 --wait on an empty job succeeds" 0 "$CGKILL" -9 --wait --timeout 5 empty

# --- a process outside the job is never signalled ------------------------------------------
OUTSIDE_MARK=$TMPD/outside
start sh -c "$(counting "$OUTSIDE_MARK" "$TERM_NUM")"; OUTSIDER=$LAST_PID

# --- each spelling sends the signal once to each process -------------------------------------
MARK=$TMPD/term
for i in 1 2 3; do run_in handlers sh -c "$(counting "$MARK" "$TERM_NUM")"; done
eventually procs_at_least handlers 6   # each shell napping: its trap is set
n=0
for spelling in "" "-TERM" "-SIGTERM" "-s term" "-s SigTerm" "-15" "-n 15" "--signal=TERM"; do
  # shellcheck disable=SC2086
  check "cgkill $spelling handlers" 0 "$CGKILL" $spelling handlers
  n=$((n + 3))
  eventually lines_at_least "$MARK" "$n"
  sleep 0.2
  expect "... each of the 3 handlers got one TERM ($(lines "$MARK") of $n lines)" test "$(lines "$MARK")" = "$n"
done
RT=$("$CGKILL" -l RTMIN+3)
RT_MARK=$TMPD/rt
run_in rt sh -c "$(counting "$RT_MARK" "$RT")"
eventually procs_at_least rt 2
check "-RTMIN+3" 0 "$CGKILL" -RTMIN+3 rt
eventually lines_at_least "$RT_MARK" 1
sleep 0.2
expect "... reached the handler once" test "$(lines "$RT_MARK")" = 1
check "-v reports the count" 0 "$CGKILL" -v -9 --wait --timeout 10 handlers rt
expect "-v: sent KILL to ... processes" eval '[[ "$ERR" == *"handlers: sent KILL to "*" processes"* ]]'
expect "handlers and rt are empty" test "$(nprocs handlers)$(nprocs rt)" = 00

# --- fork loops cannot escape -------------------------------------------------------------------
for i in 1 2 3 4 5; do
  # Children that live long enough to pile up even where forks are slow.
  run_in "loop$i" sh -c 'while :; do sh -c "sleep 30" & done'
  eventually procs_at_least "loop$i" 50
  check "round $i: -9 --wait kills a fork loop" 0 "$CGKILL" -9 --wait --timeout 10 "loop$i"
  expect "... and leaves no process" test "$(nprocs "loop$i")" = 0
  sleep 0.1
  expect "... nor one that forked later" test "$(nprocs "loop$i")" = 0
  expect "... and the job is THAWED" test "$(kernel_state "loop$i")" = THAWED
done
run_in tloop sh -c 'while :; do sh -c "sleep 30" & done'
eventually procs_at_least tloop 50
check "TERM --wait empties a fork loop too" 0 "$CGKILL" --wait --timeout 10 tloop
expect "... no process left" test "$(nprocs tloop)" = 0
expect "... and the job is THAWED again" test "$(kernel_state tloop)" = THAWED

# --- frozen jobs --------------------------------------------------------------------------------
run_in frozen sleep 1000; run_in frozen sleep 1000
eventually procs_are 2 frozen
"$CGFREEZE" --wait --timeout 10 frozen
check "-9 --wait kills a FROZEN job" 0 "$CGKILL" -9 --wait --timeout 10 frozen
expect "... which is empty" test "$(nprocs frozen)" = 0
expect "... and FROZEN again" test "$(kernel_state frozen)" = FROZEN

PENDING_MARK=$TMPD/pending
run_in pending sh -c "$(counting "$PENDING_MARK" "$TERM_NUM")"
eventually procs_at_least pending 2
"$CGFREEZE" --wait --timeout 10 pending
check "TERM to a frozen job succeeds" 0 "$CGKILL" pending
sleep 0.3
expect "... the handler has not run while frozen" test "$(lines "$PENDING_MARK")" = 0
expect "... the job is still FROZEN" test "$(kernel_state pending)" = FROZEN
"$CGFREEZE" thaw --wait --timeout 10 pending
eventually lines_at_least "$PENDING_MARK" 1
expect "... and runs once after the thaw" test "$(lines "$PENDING_MARK")" = 1

run_in nest sleep 1000; run_in nest/sub sleep 1000; run_in nest/sub/deeper sleep 1000
eventually procs_are 111 nest nest/sub nest/sub/deeper
"$CGFREEZE" --wait --timeout 10 nest/sub
check "a frozen sub-job does not block -9 --wait on the parent" 0 "$CGKILL" -9 --wait --timeout 10 nest
expect "... all three jobs are empty" test "$(nprocs nest)$(nprocs nest/sub)$(nprocs nest/sub/deeper)" = 000
expect "... and the sub-job is FROZEN as before" test "$(kernel_state nest/sub)" = FROZEN
expect "... its parent THAWED as before" test "$(kernel_state nest)" = THAWED

# --- --timeout and --escalate on a process that ignores TERM --------------------------------
run_in stubborn sh -c "trap '' TERM; exec sleep 1000"; STUBBORN=$PID
eventually is_sleep "$STUBBORN"
check "--wait --timeout: 124 when processes are left" 124 "$CGKILL" --wait --timeout 0.3 stubborn
expect "... with the count left on stderr ($ERR)" eval '[[ "$ERR" == "cgkill: stubborn: timed out: 1 process left" ]]'
expect "... the process lives on" alive "$STUBBORN"
check "--escalate beyond --timeout: 124, no KILL" 124 "$CGKILL" --escalate 5 --timeout 0.3 stubborn
expect "... the process lives on" alive "$STUBBORN"
start_ns=$(date +%s%N)
check "--escalate 0.3 ends it with KILL" 0 "$CGKILL" -v --escalate 0.3 --timeout 10 stubborn
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))
expect "... after waiting the 0.3 s (${elapsed_ms} ms)" test "$elapsed_ms" -ge 300
expect "... saying so with -v" eval '[[ "$ERR" == *"1 process left after TERM: sending KILL"* ]]'
expect "... and the job is empty" test "$(nprocs stubborn)" = 0
run_in polite sleep 1000
eventually procs_are 1 polite
start_ns=$(date +%s%N)
check "--escalate on a job that obeys TERM" 0 "$CGKILL" -v --escalate 5 polite
elapsed_ms=$((($(date +%s%N) - start_ns) / 1000000))
expect "... returns once it is empty, without KILL (${elapsed_ms} ms)" eval '[ "$elapsed_ms" -lt 4500 ] && [[ "$ERR" != *KILL* ]]'

# --- several jobs: every one attempted, highest status wins ------------------------------------
run_in multi1 sleep 1000; run_in multi2 sleep 1000
eventually procs_are 11 multi1 multi2
check "-9 --wait nosuch multi1 multi2 is 3" 3 "$CGKILL" -9 --wait --timeout 10 multi1 nosuch multi2
expect "... and both existing jobs were emptied" test "$(nprocs multi1)$(nprocs multi2)" = 00

# --- the outsider ------------------------------------------------------------------------------
check "-9 the victim" 0 "$CGKILL" -KILL --wait --timeout 10 victim
expect "the victim is gone" eval '! alive "$VICTIM" || [ "$(cat /proc/$VICTIM/stat 2>/dev/null | cut -d" " -f3)" = Z ]'
sleep 0.2
expect "the process outside every job got no TERM" test "$(lines "$OUTSIDE_MARK")" = 0
expect "... and lives" alive "$OUTSIDER"
{ kill -KILL "$OUTSIDER"; wait "$OUTSIDER"; } 2>/dev/null || true
