# The tools inside a PID namespace (unshare --pid --fork --mount-proc): the
# namespace's own processes, PID 2 and its children included, can be added;
# processes outside it show as 0 in cgroup.procs and are reported as hidden.
source "$(dirname "$0")/lib.sh"
setup
command -v unshare >/dev/null || skip "unshare (util-linux) is needed"
unshare --pid --fork --mount-proc true 2>/dev/null || skip "cannot create a PID namespace here"

# --- inside: PID 2 (the first child of the namespace's init) and its child ------
# bash is PID 1 there; the background sh is PID 2, its sleep a child of PID
# 2, found by lib.sh's children_of.
OUT=$(unshare --pid --fork --mount-proc bash -c "$(declare -f children_of)"'
  sh -c "sleep 1000 & wait" & two=$!
  kid=""
  for i in $(seq 1 500); do
    kid=$(children_of "$two" | head -1)
    [ -n "$kid" ] && break; sleep 0.01
  done
  echo "two=$two kid=$kid"
  "$0" add --create nsjob "$two" "$kid"; echo "add=$?"
  "$1" -n -o PROCS,HIDDEN nsjob | tr -s " " | sed "s/^ //;s/^/stat=/"
  kill -KILL "$two" "$kid"
' "$CGFREEZE" "$CGSTAT" 2>&1)
echo "$OUT" | sed 's/^/  | /'
expect "the first child of the namespace's init is PID 2" grep -q '^two=2 kid=[0-9]' <<< "$OUT"
expect "cgfreeze add moves PID 2 and its child inside the namespace" grep -qx 'add=0' <<< "$OUT"
expect "... and cgstat there sees both, none hidden" grep -qx 'stat=2 0' <<< "$OUT"

# --- outside processes are hidden inside -----------------------------------------
PID=$("$CGFREEZE" run --detach outer -- sleep 1000); track "$PID"
eventually has_procs outer 1
OUT=$(unshare --pid --fork --mount-proc "$CGSTAT" -n -o JOB,PROCS,HIDDEN outer)
JSON=$(unshare --pid --fork --mount-proc "$CGSTAT" --json outer)
if [ "$HIER" = v2 ]; then
  expect "inside a PID namespace, cgstat counts the job's outside process as hidden ($OUT)" \
    test "$(echo $OUT)" = "outer 0 1"
  expect "... the JSON says hidden_procs 1, nprocs 0" python3 -c '
import json, sys
j = json.loads(sys.argv[1])["jobs"][0]
sys.exit(not (j["hidden_procs"] == 1 and j["nprocs"] == 0 and j["pids"] == []))' "$JSON"
else
  # v1 leaves processes of other namespaces out of cgroup.procs: nothing to count.
  expect "inside a PID namespace on v1, the outside process is not listed ($OUT)" test "$(echo $OUT)" = "outer 0 0"
fi
OUT=$("$CGSTAT" -n -o JOB,PROCS,HIDDEN outer)
expect "outside the namespace nothing is hidden ($OUT)" test "$(echo $OUT)" = "outer 1 0"
check "cgfreeze rm inside the namespace is refused" 1 unshare --pid --fork --mount-proc "$CGFREEZE" rm outer
if [ "$HIER" = v2 ]; then want='still has 1 process not visible in this PID namespace'
else want='still has processes not visible in this PID namespace'; fi
expect "... saying the processes are not visible there ($ERR)" grep -q "$want" <<< "$ERR"
expect "... and the job is still there" test -d "$ROOT/outer"
