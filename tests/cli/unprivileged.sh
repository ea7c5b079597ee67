#!/bin/bash
# An unprivileged user (nobody, 65534) against root's job root (issue 12), on
# the hierarchy named by CGJOB_TEST_HIERARCHY: freeze, thaw, cgkill, rm, add,
# create, run and cgstat. Every refusal is one clear line with the documented
# status, and nothing changes: the freezer files, cgroup.procs and the job
# directories are compared before and after, and root's processes record
# every signal they get (none may arrive). Read-only commands (cgstat, cgkill
# -0) may answer: the kernel lets anyone read these files.
source "$(dirname "$0")/lib.sh"
setup
command -v setpriv >/dev/null || skip "no setpriv"

use_tmpdir unpriv
chmod 755 "$TMPD"
# The tools, where nobody may run them (the build tree may be private).
mkdir "$TMPD/bin"
cp "$CGFREEZE" "$CGKILL" "$CGSTAT" "$TMPD/bin/" && chmod 755 "$TMPD/bin" "$TMPD"/bin/*
# nobody's own lock directory and scratch directory, removed with $TMPD.
mkdir -m 700 "$TMPD/locks" "$TMPD/scratch"
chown 65534:65534 "$TMPD/locks" "$TMPD/scratch"

as_nobody() {
  setpriv --reuid=65534 --regid=65534 --clear-groups \
    env CGJOB_ROOT="$ROOT" CGJOB_HIERARCHY="$HIER" CGJOB_LOCK_DIR="$TMPD/locks" "$@"
}
U_CGFREEZE="$TMPD/bin/cgfreeze"
U_CGKILL="$TMPD/bin/cgkill"
U_CGSTAT="$TMPD/bin/cgstat"

# Root's jobs: "victim" (a process that logs every catchable signal), "iced"
# (frozen, with a sleeper) and "empty".
SIGLOG="$TMPD/signals"
: > "$SIGLOG"
# (python3: a shell's sleep loop would change cgroup.procs all the time.)
LOGGER='import signal, sys
def note(n, _):
    with open(sys.argv[1], "a") as f: f.write(signal.Signals(n).name + "\n")
for s in ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGCONT"):
    signal.signal(getattr(signal, s), note)
while True: signal.pause()'
command -v python3 >/dev/null || skip "no python3 (the signal logger)"
VICTIM=$("$CGFREEZE" run --detach victim -- python3 -c "$LOGGER" "$SIGLOG"); track "$VICTIM"
ICED=$("$CGFREEZE" run --detach iced -- sleep 1000); track "$ICED"
"$CGFREEZE" create empty
"$CGFREEZE" freeze --wait iced || fail "could not freeze iced"
# A process of nobody's own, for add and for run's child.
setpriv --reuid=65534 --regid=65534 --clear-groups sleep 1000 &
OWN=$!; track "$OWN"
eventually has_procs victim 1

snapshot() {
  local d
  find "$ROOT" -type d | sort
  for d in $(find "$ROOT" -type d | sort); do
    echo "$d: $(cat "$d/$(freezer_file)") procs $(grep -v '^0$' "$d/cgroup.procs" | sort | tr '\n' ' ')"
    [ "$HIER" = v1 ] && echo "$d: self $(cat "$d/freezer.self_freezing")"
  done
  grep -h -v '^0$' /proc/"$OWN"/cgroup 2>/dev/null
}
# Let the jobs settle (python3 starting up) before the reference snapshot:
# on a loaded host one was once taken with three short-lived processes in
# victim, and every later comparison failed. Two equal snapshots 0.3 s apart,
# victim down to its one process.
one_proc() { [ "$(nprocs "$1")" = 1 ]; }
settled() {
  local first; first=$(snapshot); quiet_for 0.3; BEFORE=$(snapshot)
  [ "$first" = "$BEFORE" ] && one_proc victim
}
expect "the jobs settle before the reference snapshot" eventually settled
ROOT_LOCKS=$(ls -A "$LOCK_DIR")
unchanged() { local now; now=$(snapshot); [ "$now" = "$BEFORE" ] && return 0; diff <(echo "$BEFORE") <(echo "$now") | sed "s/^/# /"; return 1; }
no_signal() { quiet_for 0.3; [ ! -s "$SIGLOG" ] && kill -0 "$VICTIM" 2>/dev/null && kill -0 "$ICED" 2>/dev/null; }

# refused DESCRIPTION STATUS TOOL ARGS...: nobody runs it; the status is STATUS,
# stderr is one line of the tool's own saying why, and nothing changed.
refused() {
  local what=$1 want=$2 tool=$3; shift 2
  check "nobody: $what" "$want" as_nobody "$@"
  echo "# $what: $ERR"
  local name; name=$(basename "$tool")
  expect "nobody: $what: one line" test "$(printf '%s\n' "$ERR" | grep -c .)" = 1
  expect "nobody: $what: the tool's own line, with the kernel's reason" \
    grep -Eq "^$name: .*(Permission denied|Operation not permitted)" <<< "$ERR"
  expect "nobody: $what: nothing changed" unchanged
  expect "nobody: $what: no process got a signal" no_signal
}

refused "freeze" 1 "$U_CGFREEZE" freeze victim
refused "freeze --wait --timeout 1" 1 "$U_CGFREEZE" freeze --wait --timeout 1 victim
refused "thaw" 1 "$U_CGFREEZE" thaw iced
refused "thaw --wait" 1 "$U_CGFREEZE" thaw --wait --timeout 1 iced
refused "cgkill (TERM)" 1 "$U_CGKILL" victim
refused "cgkill -KILL" 1 "$U_CGKILL" -KILL victim
refused "cgkill -USR1 --wait --timeout 1" 1 "$U_CGKILL" -USR1 --wait --timeout 1 victim
refused "cgkill -CONT of a frozen job" 1 "$U_CGKILL" -CONT iced
refused "rm of an empty job" 1 "$U_CGFREEZE" rm empty
refused "rm --kill" 1 "$U_CGFREEZE" rm --kill victim
refused "add of nobody's own process" 1 "$U_CGFREEZE" add victim "$OWN"
refused "create" 1 "$U_CGFREEZE" create newjob
refused "create of a sub-job" 1 "$U_CGFREEZE" create victim/sub
refused "run into a new job" 1 "$U_CGFREEZE" run newjob -- touch "$TMPD/scratch/ran"
refused "run into root's job" 1 "$U_CGFREEZE" run empty -- touch "$TMPD/scratch/ran"
expect "nobody: run never started COMMAND" test ! -e "$TMPD/scratch/ran"

# rm of a job with processes: refused before any write, with the count (which
# cgroup.procs tells anyone).
check "nobody: rm of a busy job" 1 as_nobody "$U_CGFREEZE" rm victim
echo "# rm of a busy job: $ERR"
expect "nobody: rm of a busy job: nothing changed" unchanged

# Reading is what the kernel lets anyone do: the same answer as root's.
check "nobody: cgstat" 0 as_nobody "$U_CGSTAT"
expect "nobody: cgstat lists root's jobs" grep -q victim <<< "$OUT"
check "nobody: cgstat --json victim" 0 as_nobody "$U_CGSTAT" --json victim
check "nobody: cgkill -0 victim (has processes)" 0 as_nobody "$U_CGKILL" -0 victim
check "nobody: cgkill -0 empty" 1 as_nobody "$U_CGKILL" -0 empty
expect "nobody: the reads changed nothing" unchanged
expect "nobody: the reads sent no signal" no_signal
check "nobody: a missing job is still 3" 3 as_nobody "$U_CGFREEZE" freeze nosuchjob
expect "nobody: root's lock directory untouched" test "$(ls -A "$LOCK_DIR")" = "$ROOT_LOCKS"
