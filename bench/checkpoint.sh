#!/bin/bash
# cgfreeze checkpoint/restore against bare CRIU on the same process tree
# (issue 22): run where `criu check` passes, as root, e.g. in a 6.1 guest:
#   CGJOB_BUILD_DIR=$PWD/build scripts/vm-run.sh --mode v2 -- \
#     bash bench/checkpoint.sh build [REPS] ["NPROCS..."] ["MIB..."]
# For each tree (NPROCS processes: a python3 root holding MIB MiB of touched
# memory, and NPROCS-1 sleeping children) it times, REPS times each, medians:
#   ours_dump   cgfreeze checkpoint --leave running JOB DIR
#   bare_dump   criu dump with the same options (--freeze-cgroup on the job)
#   frozen      how long ours kept the running job frozen (its -v report)
#   ours_rest   cgfreeze restore --detach JOB DIR (after --leave killed)
#   bare_rest   criu restore -d --restore-sibling with the same options
# and prints one Markdown table (ratios ours/bare). Nothing is asserted.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
REPS=${2:-5}
NPROCS=${3:-"1 100 1000"}
MIBS=${4:-"10 500"}
CGFREEZE=$BUILD/tools/cgfreeze/cgfreeze
# The hierarchy and mount the tools pick by themselves (v2 where it freezes).
source "$SRC/tests/support/mounts.sh"  # tool_mount CGSTAT HIER
MOUNT=$(tool_mount "$BUILD/tools/cgstat/cgstat" v2) HIER=v2
[ -n "$MOUNT" ] || { MOUNT=$(tool_mount "$BUILD/tools/cgstat/cgstat" v1); HIER=v1; }
export CGJOB_ROOT=$MOUNT/cgjobs-bench-$$ CGJOB_HIERARCHY=$HIER
WORK=$(mktemp -d /tmp/cgjob-bench-ckpt.XXXXXX)
trap '"$CGFREEZE" rm --kill j >/dev/null 2>&1; rmdir "$CGJOB_ROOT" 2>/dev/null; rm -rf "$WORK"' EXIT
criu check >/dev/null 2>&1 || { echo "criu check fails here: nothing to measure" >&2; exit 1; }

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# start N MIB: the tree in job j; prints its root PID once every process is there.
start() {
  local n=$1 mib=$2 pid
  pid=$("$CGFREEZE" run --detach j -- python3 -c "
import os, time, subprocess
b = bytearray($mib << 20)
for i in range(0, len(b), 4096): b[i] = 1
kids = [subprocess.Popen(['sleep', '100000']) for _ in range($n - 1)]
while True: time.sleep(1000)")
  while [ "$(grep -c . "$CGJOB_ROOT/j/cgroup.procs")" -lt "$n" ]; do sleep 0.05; done
  echo "$pid"
}
stop() { "$CGFREEZE" rm --kill j >/dev/null || exit 1; }
OPTS=(-v2 --tcp-established --file-locks)

echo "| procs | MiB | ours dump ms | bare dump ms | ratio | frozen ms | ours restore ms | bare restore ms | ratio |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in $NPROCS; do
  for mib in $MIBS; do
    od=() bd=() fr=() orr=() br=()
    for ((r = 0; r < REPS; r++)); do
      root=$(start "$n" "$mib")
      rm -rf "$WORK/a" "$WORK/b"
      t0=$(now); "$CGFREEZE" -v checkpoint --leave running j "$WORK/a" 2> "$WORK/err" || { cat "$WORK/err"; exit 1; }; t1=$(now)
      od+=("$(ms "$t0" "$t1")")
      fr+=("$(sed -n 's/.*frozen for \([0-9.]*\) ms.*/\1/p' "$WORK/err")")
      mkdir -p "$WORK/b"
      t0=$(now); criu dump -t "$root" -D "$WORK/b" -o dump.log "${OPTS[@]}" --freeze-cgroup "$CGJOB_ROOT/j" -R || exit 1; t1=$(now)
      bd+=("$(ms "$t0" "$t1")")
      # Restores: each from a dump whose processes are gone.
      rm -rf "$WORK/a"; "$CGFREEZE" checkpoint --leave killed j "$WORK/a" || exit 1
      while [ -n "$(cat "$CGJOB_ROOT/j/cgroup.procs")" ]; do sleep 0.05; done
      t0=$(now); "$CGFREEZE" restore --detach j "$WORK/a" > /dev/null || exit 1; t1=$(now)
      orr+=("$(ms "$t0" "$t1")")
      rm -rf "$WORK/b"; mkdir -p "$WORK/b"
      criu dump -t "$root" -D "$WORK/b" -o dump.log "${OPTS[@]}" --freeze-cgroup "$CGJOB_ROOT/j" || exit 1
      while [ -n "$(cat "$CGJOB_ROOT/j/cgroup.procs")" ]; do sleep 0.05; done
      t0=$(now)
      ( cd /; exec criu restore -D "$WORK/b" -o restore.log "${OPTS[@]}" -d --restore-sibling --manage-cgroups=ignore ) || exit 1
      t1=$(now)
      br+=("$(ms "$t0" "$t1")")
      # bare CRIU put the tree where criu ran: move it back to be removed.
      for p in "$root" $(pgrep -P "$root"); do echo "$p" > "$CGJOB_ROOT/j/cgroup.procs" 2>/dev/null; done
      stop
    done
    m_od=$(printf '%s\n' "${od[@]}" | median); m_bd=$(printf '%s\n' "${bd[@]}" | median)
    m_or=$(printf '%s\n' "${orr[@]}" | median); m_br=$(printf '%s\n' "${br[@]}" | median)
    m_fr=$(printf '%s\n' "${fr[@]}" | median)
    echo "| $n | $mib | $m_od | $m_bd | $(awk "BEGIN { printf \"%.2f\", $m_od / $m_bd }") | $m_fr | $m_or | $m_br | $(awk "BEGIN { printf \"%.2f\", $m_or / $m_br }") |"
  done
done
