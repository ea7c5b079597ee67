# cgstat against the real kernel, on the hierarchy named by CGJOB_TEST_HIERARCHY.
# JSON is checked by parsing it with python3 (no jq needed).
source "$(dirname "$0")/lib.sh"
setup
command -v python3 >/dev/null || skip "needs python3 to parse JSON"

# pyexpect DESCRIPTION JSON PYTHON-EXPRESSION: passes when the expression,
# with the parsed document as d, is true. Invalid JSON fails; a failure
# shows the document (its first 2,000 characters).
pyexpect() {
  local what=$1 json=$2 expr=$3
  if printf '%s' "$json" | python3 -c "
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if ($expr) else 1)" 2>/dev/null; then pass "$what"; else
    fail "$what: $expr"
    echo "  the document: $(printf '%s' "$json" | tr -d '\n' | cut -c1-2000)"
  fi
}
# Every line of FILE is a JSON object with the watch keys and types.
watch_lines_valid() {
  python3 -c "
import json, re, sys
ok = True
for line in open(sys.argv[1]):
    o = json.loads(line)
    ok = ok and re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z', o['time']) is not None
    ok = ok and o['state'] in ('THAWED', 'FREEZING', 'FROZEN') and type(o['populated']) is bool
    ok = ok and type(o['nprocs']) is int and isinstance(o['name'], str)
    ok = ok and o['event'] in ('initial', 'added', 'changed', 'removed')
sys.exit(0 if ok else 1)" "$1"
}
# The states reported for job NAME in watch output FILE, space-separated.
watch_states() {
  python3 -c "
import json, sys
print(' '.join(o['state'] for o in map(json.loads, open(sys.argv[1])) if o['name'] == sys.argv[2]))" "$1" "$2"
}
has_line() { grep -q "$2" "$1"; }

# --- bad usage: status 2, one line, nothing read or created -------------------
check "unknown column is bad usage" 2 "$CGSTAT" -o JOB,NOPE
expect "... with a one-line error naming it" test "$(echo "$ERR" | wc -l)" = 1 -a -n "$(echo "$ERR" | grep NOPE)"
check "empty column is bad usage" 2 "$CGSTAT" -o JOB,,STATE
for bad in ../x a//b cgroup.procs .hidden; do
  check "invalid job '$bad' is bad input" 2 "$CGSTAT" --json "$bad"
  expect "... and prints nothing on stdout" test -z "$OUT"
done
check "--timeout without --watch is bad usage" 2 "$CGSTAT" --timeout 1
check "--watch --timeout -1 is bad input" 2 "$CGSTAT" --watch --timeout -1
check "--watch with -o is bad usage" 2 "$CGSTAT" --watch -o JOB
expect "nothing was created" test ! -e "$ROOT"

# --- an absent job root has no jobs ---------------------------------------------
check "no jobs: exit 0" 0 "$CGSTAT"
expect "... and no output" test -z "$OUT"
check "no jobs --json" 0 "$CGSTAT" --json
pyexpect "... an empty jobs list with hierarchy, mount and root" "$OUT" \
  "d['jobs'] == [] and d['hierarchy'] == '$HIER' and d['mount'] == '$MOUNT' and d['root'] == '$ROOT'"
check "--names with no root" 0 "$CGSTAT" --names
expect "... prints nothing" test -z "$OUT"
expect "reading created nothing" test ! -e "$ROOT"

# --- jobs: a (1 process), a/b (none), a/b/c (1), idle (none) --------------------
PA=$("$CGFREEZE" run --detach a -- sleep 1000); track "$PA"
"$CGFREEZE" create a/b idle
PC=$("$CGFREEZE" run --detach a/b/c -- sleep 1000); track "$PC"

check "--list-columns" 0 "$CGSTAT" --list-columns
expect "... one column name per line" test "$(echo $OUT)" = "JOB STATE PROCS SELF PARENT POPULATED PATH HIDDEN HELD"
check "--names" 0 "$CGSTAT" --names
expect "... every job, parents first ($(echo $OUT))" test "$(echo $OUT)" = "a a/b a/b/c idle"

check "default table" 0 "$CGSTAT"
expect "... headed JOB STATE PROCS" test "$(echo "$OUT" | head -1)" = "JOB    STATE   PROCS"
expect "... one row per job, parents first, numbers right-aligned" test "$(echo "$OUT" | tail -n +2)" = \
"a      THAWED      1
a/b    THAWED      0
a/b/c  THAWED      1
idle   THAWED      0"
check "-o JOB,STATE" 0 "$CGSTAT" -o JOB,STATE a idle
expect "... just those columns, in that order" test "$OUT" = "JOB   STATE
a     THAWED
idle  THAWED"
check "-o is case-insensitive and orders columns" 0 "$CGSTAT" -o procs,job,path a
expect "... PROCS JOB PATH" test "$(echo "$OUT" | tail -1)" = "    1  a    $ROOT/a"
check "-n" 0 "$CGSTAT" -n -o JOB idle
expect "... no heading" test "$OUT" = "idle"
check "JOB without -r: that job only" 0 "$CGSTAT" -n -o JOB a
expect "... a" test "$OUT" = "a"
check "-r JOB: its sub-jobs too" 0 "$CGSTAT" -n -o JOB -r a/
expect "... a a/b a/b/c" test "$(echo $OUT)" = "a a/b a/b/c"

# --- JSON, and frozen by the parent ---------------------------------------------
check "freeze a (and so its sub-jobs)" 0 "$CGFREEZE" --wait a
check "--json" 0 "$CGSTAT" --json
pyexpect "JSON: hierarchy, mount, root" "$OUT" "d['hierarchy'] == '$HIER' and d['mount'] == '$MOUNT' and d['root'] == '$ROOT'"
pyexpect "JSON: every job, parents first" "$OUT" "[j['name'] for j in d['jobs']] == ['a', 'a/b', 'a/b/c', 'idle']"
pyexpect "JSON: paths" "$OUT" "all(j['path'] == '$ROOT/' + j['name'] for j in d['jobs'])"
pyexpect "JSON: types (numbers as numbers, booleans as booleans)" "$OUT" "all(
  isinstance(j['name'], str) and isinstance(j['path'], str) and isinstance(j['state'], str)
  and type(j['self_freezing']) is bool and type(j['parent_freezing']) is bool and type(j['populated']) is bool
  and type(j['nprocs']) is int and all(type(p) is int for p in j['pids']) and j['nprocs'] == len(j['pids'])
  for j in d['jobs'])"
pyexpect "JSON: a is FROZEN, asked itself" "$OUT" \
  "[(j['state'], j['self_freezing'], j['parent_freezing']) for j in d['jobs'] if j['name'] == 'a'] == [('FROZEN', True, False)]"
pyexpect "JSON: a/b and a/b/c are FROZEN by the parent, not by themselves" "$OUT" \
  "[(j['state'], j['self_freezing'], j['parent_freezing']) for j in d['jobs'] if j['name'].startswith('a/')] == [('FROZEN', False, True)] * 2"
pyexpect "JSON: idle is THAWED, empty, asked by nobody" "$OUT" \
  "[(j['state'], j['self_freezing'], j['parent_freezing'], j['populated'], j['nprocs'], j['pids']) for j in d['jobs'] if j['name'] == 'idle'] == [('THAWED', False, False, False, 0, [])]"
pyexpect "JSON: pids as the kernel lists them" "$OUT" \
  "[j['pids'] for j in d['jobs'] if j['name'] in ('a', 'a/b/c')] == [[$PA], [$PC]]"
pyexpect "JSON: a/b has no process of its own but is populated (a/b/c has one)" "$OUT" \
  "[(j['nprocs'], j['populated']) for j in d['jobs'] if j['name'] == 'a/b'] == [(0, True)]"
check "SELF PARENT POPULATED columns" 0 "$CGSTAT" -n -o JOB,STATE,SELF,PARENT,POPULATED a a/b
expect "... as 1 and 0" test "$(echo $OUT)" = "a FROZEN 1 0 1 a/b FROZEN 0 1 1"

# --- a missing JOB: 3, the others still listed ---------------------------------
check "missing job among others is 3" 3 "$CGSTAT" --json a nosuch idle
pyexpect "... the document lists the jobs that were found" "$OUT" "[j['name'] for j in d['jobs']] == ['a', 'idle']"
expect "... one error line naming the job" test "$(echo "$ERR" | wc -l)" = 1 -a -n "$(echo "$ERR" | grep 'cgstat: nosuch:')"
check "missing job in the table is 3 too" 3 "$CGSTAT" -n -o JOB nosuch idle
expect "... idle still listed" test "$OUT" = "idle"
check "an absolute path to the job works" 0 "$CGSTAT" -n -o JOB,STATE "$ROOT/a/b"
expect "... named as given" test "$(echo $OUT)" = "$ROOT/a/b FROZEN"

# --- --procs ------------------------------------------------------------------------
check "--procs --json" 0 "$CGSTAT" --procs --json a
pyexpect "... pid, comm, state, wchan from /proc" "$OUT" "[(p['pid'], p['comm'], type(p['state']) is str, type(p['wchan']) is str)
  for p in d['jobs'][0]['procs']] == [($PA, 'sleep', True, True)]"
check "--procs table" 0 "$CGSTAT" --procs -r a
expect "... the process on an indented line under its job" \
  test -n "$(echo "$OUT" | grep -A1 '^a  ' | grep -E "^ +$PA  sleep  [A-Z]  ")"
check "thaw a" 0 "$CGFREEZE" thaw --wait a

# --- --watch --------------------------------------------------------------------------
W=$(mktemp)
start "$CGSTAT" --watch --json --timeout "$(scaled 3)" a > "$W"
WATCH=$LAST_PID
eventually has_line "$W" '"event":"initial"'
check "freeze a while watching" 0 "$CGFREEZE" --wait a
eventually has_line "$W" '"state":"FROZEN"'
check "thaw a while watching" 0 "$CGFREEZE" thaw --wait a
thawed_after_frozen() { [[ "$(watch_states "$W" a)" == *FROZEN*THAWED* ]]; }
eventually thawed_after_frozen
P2=$("$CGFREEZE" run --detach a -- sleep 1000); track "$P2"
wait "$WATCH"; rc=$?
expect "--watch --timeout ends with 0 (status $rc)" test "$rc" = 0
expect "every line is one JSON object with time, event, name, state, populated, nprocs" watch_lines_valid "$W"
states=$(watch_states "$W" a)
expect "--watch saw THAWED, FROZEN, THAWED ($states)" \
  python3 -c "import sys,re; sys.exit(0 if re.fullmatch(r'THAWED( FREEZING)* FROZEN( FROZEN)* THAWED( THAWED)*', sys.argv[1]) else 1)" "$states"
expect "--watch saw the second process arrive" \
  python3 -c "import json,sys; sys.exit(0 if [o['nprocs'] for o in map(json.loads, open(sys.argv[1]))][-1] == 2 else 1)" "$W"

# Jobs appearing and going away, watching the whole root, plain text lines.
start "$CGSTAT" --watch --timeout "$(scaled 3)" > "$W"
WATCH=$LAST_PID
eventually has_line "$W" ' idle '
"$CGFREEZE" create fresh/sub
eventually has_line "$W" ' fresh/sub THAWED populated=0 nprocs=0 added$'
"$CGFREEZE" rm fresh
eventually has_line "$W" ' fresh [A-Z]* populated=[01] nprocs=[0-9]* removed$'
wait "$WATCH"; rc=$?
expect "--watch of the root ends with 0 at --timeout" test "$rc" = 0
expect "text lines: time, job, state, populated, nprocs" \
  test "$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z [^ ]+ (THAWED|FREEZING|FROZEN) populated=[01] nprocs=[0-9]+( added| removed)?$' "$W")" = 0
expect "the initial lines list every job" test "$(head -4 "$W" | cut -d' ' -f2 | xargs)" = "a a/b a/b/c idle"
expect "a new job is reported" has_line "$W" ' fresh THAWED populated=0 nprocs=0 added$'
expect "a removed job is reported, sub-jobs first" \
  test "$(grep removed "$W" | cut -d' ' -f2 | xargs)" = "fresh/sub fresh"

# SIGINT ends the watch with 0 (a background job of a script ignores SIGINT
# unless told otherwise).
start env --default-signal=INT "$CGSTAT" --watch idle > "$W"
WATCH=$LAST_PID
eventually has_line "$W" ' idle '
kill -INT "$WATCH"; wait "$WATCH"; rc=$?
expect "--watch ends with 0 on SIGINT (status $rc)" test "$rc" = 0
check "--watch of a missing job only is 3 at once" 3 timeout 5 "$CGSTAT" --watch nosuch
rm -f "$W"
