# Hostile names and input (issue 11, items 7, 8, 9 and 12), against the real
# kernel on the hierarchy named by CGJOB_TEST_HIERARCHY: empty option values,
# a job root at the mount root, directory names that are no job names, and
# overlapping JOB arguments.
source "$(dirname "$0")/lib.sh"
setup
command -v python3 >/dev/null || skip "needs python3 to parse JSON"

one_line_error() { test "$(printf '%s\n' "$ERR" | wc -l)" = 1 -a -n "$ERR"; }
alive() { kill -0 "$1" 2>/dev/null; }

# --- empty or blank option values: exit 2, one line, nothing changed -------------
check "create a job to act on" 0 "$CGFREEZE" create e
PE=$("$CGFREEZE" run --detach e -- sleep 1000); track "$PE"
eventually has_procs e 1

check "freeze --timeout '' is bad usage" 2 "$CGFREEZE" --wait --timeout '' e
expect "... with a one-line error" one_line_error
expect "... naming the option ($ERR)" test -n "$(echo "$ERR" | grep -e --timeout)"
expect "... and e was not frozen" eval '! self_requested e'
check "freeze --timeout= (empty after =) is bad usage" 2 "$CGFREEZE" freeze --wait --timeout= e
check "freeze --timeout ' ' (blank) is bad usage" 2 "$CGFREEZE" freeze --timeout ' ' e
expect "... and e is still not frozen" eval '! self_requested e'
check "freeze e" 0 "$CGFREEZE" --wait e
check "thaw --timeout '' is bad usage" 2 "$CGFREEZE" thaw --wait --timeout '' e
expect "... and e stays FROZEN" state_is e FROZEN
check "thaw e" 0 "$CGFREEZE" thaw --wait e
check "rm --kill --timeout '' is bad usage" 2 "$CGFREEZE" rm --kill --timeout '' e
expect "... and e and its process are still there" alive "$PE"
check "create --pid '' is bad usage" 2 "$CGFREEZE" create --pid '' e2
expect "... and nothing was created" test ! -e "$ROOT/e2"
check "--root '' is bad usage, not the default root" 2 "$CGFREEZE" --root '' thaw "nosuchjob-$$"
check "--hierarchy '' is bad usage" 2 "$CGFREEZE" --hierarchy '' thaw e

check "cgkill -s '' is bad usage, not TERM" 2 "$CGKILL" -s '' e
expect "... with a one-line error" one_line_error
check "cgkill --signal= is bad usage" 2 "$CGKILL" --signal= e
check "cgkill -n '' is bad usage" 2 "$CGKILL" -n '' e
check "cgkill --timeout '' is bad usage" 2 "$CGKILL" --timeout '' e
check "cgkill --escalate '' is bad usage" 2 "$CGKILL" --escalate '' e
check "cgkill --escalate ' ' is bad usage" 2 "$CGKILL" --escalate ' ' e
check "cgkill --root '' is bad usage" 2 "$CGKILL" --root '' -0 e
expect "... and the process in e got no signal" alive "$PE"

check "cgstat -o '' is bad usage, not the default columns" 2 "$CGSTAT" -o '' e
expect "... and prints nothing" test -z "$OUT"
check "cgstat --root '' is bad usage" 2 "$CGSTAT" --root '' --names
check "cgstat --watch --timeout '' is bad usage, not an endless watch" 2 timeout 5 "$CGSTAT" --watch --timeout '' e
expect "... with a one-line error" one_line_error

# The environment: an empty variable counts as unset (as for most getenv
# users); a blank one is a value, and bad.
check "CGJOB_ROOT=' ' is bad usage" 2 env CGJOB_ROOT=' ' "$CGSTAT" --names
expect "... and the error names the variable ($ERR)" test -n "$(echo "$ERR" | grep CGJOB_ROOT)"
check "CGJOB_HIERARCHY='' counts as unset (auto)" 0 env CGJOB_HIERARCHY= "$CGSTAT" e
OUT_DEFAULT=$(env -u CGJOB_ROOT "$CGSTAT" --hierarchy "$HIER" --names 2>&1)
OUT_EMPTY=$(env CGJOB_ROOT= "$CGSTAT" --hierarchy "$HIER" --names 2>&1)
expect "CGJOB_ROOT='' counts as unset (the default root)" test "$OUT_EMPTY" = "$OUT_DEFAULT"

# --- a job root at a mount root is refused ----------------------------------------
MOUNTJOB="inputs-mount-root-$$"
check "cgstat --root MOUNT is refused" 2 "$CGSTAT" --root "$MOUNT"
expect "... with a one-line error" one_line_error
expect "... and lists nothing" test -z "$OUT"
check "cgstat --root MOUNT/ is refused" 2 "$CGSTAT" --root "$MOUNT/" --names
check "cgstat --root MOUNT/. is refused" 2 "$CGSTAT" --root "$MOUNT/." --json
check "CGJOB_ROOT=MOUNT cgfreeze create is refused" 2 env CGJOB_ROOT="$MOUNT" "$CGFREEZE" create "$MOUNTJOB"
expect "... and nothing was created at the mount root" test ! -e "$MOUNT/$MOUNTJOB"
rmdir "$MOUNT/$MOUNTJOB" 2>/dev/null  # what a failing build made: ours, empty
check "cgkill --root MOUNT is refused" 2 "$CGKILL" --root "$MOUNT" -0 "$MOUNTJOB"
check "a root below the mount root is still fine" 0 "$CGSTAT" --root "$ROOT" --names

# --- directory names that are not job names are never listed ----------------------
check "create listed jobs" 0 "$CGFREEZE" create good good/child
hostile=('$(touch pwned)' '`touch pwned`' 'x;touch pwned' 'a b' '*' $'tab\there' $'esc\e[31m' '.hidden'
         'cgroup.evil')
made=()
for n in "${hostile[@]}"; do
  mkdir "$ROOT/$n" 2>/dev/null && made+=("$n")
  mkdir "$ROOT/good/$n" 2>/dev/null
done
mkdir "$ROOT/\$(touch pwned)/inner" "$ROOT/good/a b/inner"  # valid names below invalid ones
mkdir "$ROOT"$'/nl\nname' 2>/dev/null && made+=($'nl\nname')  # the kernel refuses '\n'
expect "the hostile directories exist (${#made[@]})" test "${#made[@]}" -ge 7
want=$'e\ngood\ngood/child'
check "cgstat --names" 0 "$CGSTAT" --names
expect "--names lists only the jobs ($(echo "$OUT" | tr '\n' ' '))" test "$OUT" = "$want"
check "cgstat (table)" 0 "$CGSTAT" -n -o JOB
expect "the table lists only the jobs ($(echo "$OUT" | tr '\n' ' '))" test "$(echo "$OUT" | sed 's/ *$//')" = "$want"
check "cgstat --json" 0 "$CGSTAT" --json
expect "the JSON lists only the jobs" python3 -c "
import json, sys
d = json.loads(sys.argv[1])
sys.exit(0 if [j['name'] for j in d['jobs']] == ['e', 'good', 'good/child'] else 1)" "$OUT"
check "cgstat -r good --json" 0 "$CGSTAT" -r --json good
expect "-r lists only good and good/child" python3 -c "
import json, sys
d = json.loads(sys.argv[1])
sys.exit(0 if [j['name'] for j in d['jobs']] == ['good', 'good/child'] else 1)" "$OUT"
# v1 builds populated from what it lists: a process in a hidden directory
# still makes its parent populated.
PH=$("$CGFREEZE" run --detach good/child -- sleep 1000); track "$PH"
echo "$PH" > "$ROOT/good/a b/cgroup.procs"
expect "a process sits in good/'a b'" eventually grep -qx "$PH" "$ROOT/good/a b/cgroup.procs"
check "cgstat -r --json good" 0 "$CGSTAT" -r --json good
expect "good is populated through its hidden directory, good/child is not" python3 -c "
import json, sys
d = {j['name']: j for j in json.loads(sys.argv[1])['jobs']}
sys.exit(0 if d['good']['populated'] and not d['good/child']['populated'] else 1)" "$OUT"
expect "no pwned file anywhere near" test ! -e pwned -a ! -e "$ROOT/pwned"

# --watch: the initial listing and directories made while watching. The
# watch lasts long enough for a slow guest to list, then see the mkdirs.
W=$(mktemp)
start "$CGSTAT" --watch --timeout "$(scaled 3)" > "$W"
WATCH=$LAST_PID
eventually grep -q ' good/child ' "$W"
mkdir "$ROOT/w;x" "$ROOT/w fresh" "$ROOT/wvalid"
mkdir "$ROOT/w fresh/below"
wait "$WATCH"
expect "--watch saw the new valid job" grep -q ' wvalid THAWED ' "$W"
expect "--watch listed nothing but jobs ($(cut -d' ' -f2 "$W" | sort -u | xargs))" \
  test "$(cut -d' ' -f2 "$W" | sort -u | xargs)" = "e good good/child wvalid"
rm -f "$W"

# --- overlapping JOB arguments: each process signalled once ----------------------
# Standard signals coalesce while pending (and the job is frozen while it is
# signalled), so two USR1 look like one: a queued real-time signal, taken with
# sigwaitinfo, counts every delivery.
COUNT=$(mktemp)
P=$("$CGFREEZE" run --detach b/sub -- python3 -c "
import signal, sys
sig = signal.SIGRTMIN + 1
signal.pthread_sigmask(signal.SIG_BLOCK, [sig])
out = open(sys.argv[1], 'a', buffering=1)
out.write('ready\\n')
while True:
    signal.sigwaitinfo([sig])
    out.write('RT\\n')" "$COUNT")
track "$P"
ready() { grep -q ready "$COUNT"; }
eventually ready
deliveries() { grep -c RT "$COUNT"; }
deliveries_are() { [ "$(deliveries)" = "$1" ]; }
n=0
for jobs in "b b/sub" "b/sub b" "b/sub b/sub/" "$ROOT/b b/sub" "b b"; do
  n=$((n + 1))
  check "cgkill -RTMIN+1 $jobs" 0 "$CGKILL" -RTMIN+1 $jobs
  eventually deliveries_are "$n"; quiet_for 0.2  # a second copy has time to show
  expect "... delivered exactly one signal to the process in b/sub ($(deliveries) of $n in all)" deliveries_are "$n"
done
rm -f "$COUNT"
check "cgkill -9 --wait b" 0 "$CGKILL" -9 --wait b

check "create r/sub and q/sub" 0 "$CGFREEZE" create r/sub q/sub
check "rm r r/sub removes both (r/sub is no missing job)" 0 "$CGFREEZE" rm r r/sub
expect "... r is gone" test ! -e "$ROOT/r"
check "rm q/sub q" 0 "$CGFREEZE" rm q/sub q
expect "... q is gone" test ! -e "$ROOT/q"
check "rm of one missing job among others is still 3" 3 "$CGFREEZE" rm b "nosuch-$$"
