#!/usr/bin/env bash
# -w/--nodes against its floor, on namespace nodes (tests/nodes/nodes_lib.sh:
# one kernel, one clock, ssh over pipes, no network; see its header).
#
#   bench/nodes.sh [--build-dir DIR] [--nodes 3,8] [--procs 1000] [--reps 5] [--hierarchy v2|v1] [--out FILE]
#
# Per node count N, each node holds one job of PROCS sleeping processes:
# - gang freeze: `cgfreeze -w NODESET --wait JOB` (then thawed, untimed),
#   against the floor: `clush -w NODESET true` (ClusterShell's fan-out
#   alone) plus the slowest node's own `cgfreeze --wait JOB`, run inside
#   the node (nsenter, no ssh);
# - `cgstat -w NODESET --json JOB` against `clush -w NODESET -b cat
#   .../cgroup.events` (v2) or `.../freezer.state` (v1), a raw read.
# Medians of REPS runs, wall clock. As root. Writes a Markdown table to FILE
# (default: bench/results/<date>-nodes.md).
set -uo pipefail
cd "$(dirname "$0")/.."
build=build-bench counts=3,8 procs=1000 reps=5 hier=v2 out=""
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) build=$2; shift 2 ;;
    --nodes) counts=$2; shift 2 ;;
    --procs) procs=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --hierarchy) hier=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: bench/nodes.sh [--build-dir DIR] [--nodes 3,8] [--procs N] [--reps R] [--hierarchy v2|v1] [--out FILE]" >&2; exit 2 ;;
  esac
done
out=${out:-bench/results/$(date -u +%F)-nodes.md}
if [ ! -x "$build/tools/cgfreeze/cgfreeze" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCGJOB_BUILD_TESTS=OFF >/dev/null || exit 1
  cmake --build "$build" -j"$(nproc)" >/dev/null || exit 1
fi
build=$(cd "$build" && pwd)
CGFREEZE=$build/tools/cgfreeze/cgfreeze CGSTAT=$build/tools/cgstat/cgstat
export CGJOB_HIERARCHY=$hier
unset CGJOB_NODES CGJOB_ROOT
source tests/nodes/nodes_lib.sh

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# timed CMD...: the wall time of CMD in ms on stdout; its output dropped.
timed() { local t0; t0=$(now_ms); "$@" >/dev/null 2>&1 || echo "bench: failed: $*" >&2; echo $(( $(now_ms) - t0 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
file=cgroup.events; [ "$hier" = v1 ] && file=freezer.state

rows=()
for n in ${counts//,/ }; do
  names=(); for i in $(seq "$n"); do names+=("cgnode$i"); done
  ( # each node count in a subshell of its own: its nodes go with it
    nodes_setup "${names[@]}"
    for node in "${names[@]}"; do
      on_node "$node" "$CGFREEZE" run --detach bench -- \
        sh -c "i=0; while [ \$i -lt $procs ]; do sleep 100000 & i=\$((i + 1)); done; wait" >/dev/null
    done
    events="$(on_node "${names[0]}" "$CGSTAT" --json bench | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["path"])')/$file"
    for node in "${names[@]}"; do  # until every job holds all its processes
      until [ "$(on_node "$node" "$CGSTAT" --json bench | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["nprocs"])')" -ge "$procs" ]; do sleep 0.2; done
    done
    gang=() fan=() single=() stat=() raw=()
    for r in $(seq "$reps"); do
      fan+=("$(timed clush -w "$NODESET" true)")
      slowest=0
      for node in "${names[@]}"; do
        t=$(timed on_node "$node" "$CGFREEZE" --wait bench)
        on_node "$node" "$CGFREEZE" thaw --wait bench
        [ "$t" -gt "$slowest" ] && slowest=$t
      done
      single+=("$slowest")
      gang+=("$(timed "$CGFREEZE" -w "$NODESET" --wait bench)")
      "$CGFREEZE" -w "$NODESET" thaw --wait bench
      stat+=("$(timed "$CGSTAT" -w "$NODESET" --json bench)")
      raw+=("$(timed clush -w "$NODESET" -b cat "$events")")
    done
    m_fan=$(printf '%s\n' "${fan[@]}" | median) m_single=$(printf '%s\n' "${single[@]}" | median)
    m_gang=$(printf '%s\n' "${gang[@]}" | median)
    m_stat=$(printf '%s\n' "${stat[@]}" | median) m_raw=$(printf '%s\n' "${raw[@]}" | median)
    floor=$(awk -v a="$m_fan" -v b="$m_single" 'BEGIN { print a + b }')
    echo "| $n | gang freeze --wait | $m_gang | $floor ($m_fan + $m_single) | $(ratio "$m_gang" "$floor") |"
    echo "| $n | cgstat -w --json | $m_stat | $m_raw | $(ratio "$m_stat" "$m_raw") |"
  ) > "/tmp/cgjob-bench-nodes.$$.$n" || { echo "bench: $n nodes failed" >&2; exit 1; }
  rows+=("$(cat "/tmp/cgjob-bench-nodes.$$.$n")")
  rm -f "/tmp/cgjob-bench-nodes.$$.$n"
done

{
  echo "# -w/--nodes on namespace nodes, $hier, $(date -u +%F)"
  echo
  echo "bench/nodes.sh --nodes $counts --procs $procs --reps $reps --hierarchy $hier;"
  echo "$(nproc) cores, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); kernel $(uname -r)."
  echo "One job of $procs sleeping processes per node; medians of $reps runs, wall ms."
  echo "Floor of a gang freeze: \`clush -w NODESET true\` + the slowest node's own"
  echo "\`cgfreeze --wait\`; floor of cgstat: \`clush -w NODESET -b cat .../$file\`."
  echo
  echo "| nodes | command | ours (ms) | floor (ms) | ours / floor |"
  echo "|---:|---|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} > "$out"
cat "$out"
