#!/usr/bin/env bash
# Builds the tools and shows the main job end to end on this machine's kernel,
# on every freezer hierarchy it has: run a job of busy workers and a fork
# loop, freeze it with --wait, show it frozen, thaw it, remove it with --kill.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# Its own build directory, without the tests: build/ is scripts/test.sh's.
cmake -S . -B build-demo -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCGJOB_BUILD_TESTS=OFF >/dev/null
cmake --build build-demo -j"$(nproc)" >/dev/null
export PATH="$PWD/build-demo/tools/cgfreeze:$PWD/build-demo/tools/cgkill:$PWD/build-demo/tools/cgstat:$PATH"

JOB="demo-$$"
say() { printf '\n\033[1m$'; printf ' %q' "$@"; printf '\033[0m\n'; "$@"; }
# CPU ticks (utime+stime) used so far by the job's processes.
ticks() {
  local pids; pids=$(cgstat --json "$JOB" | python3 -c 'import json,sys; print(*json.load(sys.stdin)["jobs"][0]["pids"])')
  (cd /proc && cat $(printf "%s/stat " $pids) 2>/dev/null || true) | awk '{ t += $14 + $15 } END { print t + 0 }'
}
show_cpu() {
  local a b; a=$(ticks); sleep 0.5; b=$(ticks)
  echo "CPU ticks used by the job: $a, half a second later: $b ($1)"
}
# The default job root is created on first use; remove it again if the demo made it.
roots_before=$(ls -d /sys/fs/cgroup/*/cgjobs /sys/fs/cgroup/cgjobs 2>/dev/null || true)
cleanup() {
  for h in v2 v1; do cgfreeze --hierarchy "$h" rm --kill --timeout 10 "$JOB" 2>/dev/null || true; done
  for r in $(ls -d /sys/fs/cgroup/*/cgjobs /sys/fs/cgroup/cgjobs 2>/dev/null); do
    case "$roots_before" in *"$r"*) ;; *) rmdir "$r" 2>/dev/null || true ;; esac
  done
}
trap cleanup EXIT

demo() {
  export CGJOB_HIERARCHY=$1
  echo; echo "=============== cgroup $1 ==============="
  for i in 1 2 3; do
    say cgfreeze run --detach "$JOB" -- sh -c 'while :; do :; done'
  done
  say cgfreeze run --detach "$JOB" -- sh -c 'while :; do sh -c "sleep 0.01" & sleep 0.005; done'
  sleep 0.3
  show_cpu "running"
  say cgstat "$JOB"
  say cgfreeze --wait --timeout 10 "$JOB"
  say cgstat -o JOB,STATE,PROCS,SELF,PATH "$JOB"
  show_cpu "frozen: nothing runs"
  say cgfreeze thaw --wait "$JOB"
  say cgstat "$JOB"
  show_cpu "thawed: running again"
  say cgfreeze rm --kill --timeout 10 "$JOB"
  say cgstat "$JOB" || echo "(gone: exit status $?)"
}

available() { cgfreeze --hierarchy "$1" create "$JOB" 2>/dev/null && cgfreeze --hierarchy "$1" rm "$JOB"; }
ran=0
for h in v2 v1; do
  if available "$h"; then demo "$h"; ran=1; else echo "(no cgroup $h freezer here: skipped)"; fi
done
[ "$ran" = 1 ] || { echo "demo: no cgroup freezer found on this machine" >&2; exit 1; }
