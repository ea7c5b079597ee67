#!/usr/bin/env bash
# Shows -w/--nodes end to end on this machine: three namespace nodes
# (tests/nodes/nodes_lib.sh: each its own mount, PID, UTS, network and
# cgroup namespaces, reached by real ssh through ClusterShell), a job on
# each, then cgstat -w, a gang freeze, a thaw, a kill. Every node, cgroup
# and key is removed afterwards. As root.
#
#   bash scripts/nodes-demo.sh              # builds build-demo/ first
#   CGJOB_BUILD_DIR=build bash scripts/nodes-demo.sh   # tools already built there
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh nodes || exit 1
build=${CGJOB_BUILD_DIR:-}
if [ -z "$build" ]; then
  build=build-demo  # its own build directory, without the tests (as scripts/demo.sh)
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCGJOB_BUILD_TESTS=OFF >/dev/null || exit 1
  cmake --build "$build" -j"$(nproc)" >/dev/null || exit 1
fi
build=$(cd "$build" && pwd)
export PATH="$build/tools/cgfreeze:$build/tools/cgkill:$build/tools/cgstat:$PATH"
unset CGJOB_NODES CGJOB_ROOT

source tests/nodes/nodes_lib.sh
say() { printf '\n\033[1m$'; printf ' %q' "$@"; printf '\033[0m\n'; "$@"; echo "(exit status $?)"; }

echo "Starting three namespace nodes (ssh through a ProxyCommand; no network)..."
nodes_setup cgnode1 cgnode2 cgnode3
echo "Node set: $NODESET (also the ClusterShell group @cgnodes)"
for n in cgnode1 cgnode2 cgnode3; do
  on_node "$n" cgfreeze run --detach demo -- sh -c 'while :; do sleep 0.2; done' >/dev/null || exit 1
done
say cgstat -w "$NODESET"
say cgfreeze -w "$NODESET" --wait demo
say cgstat -w @cgnodes -o JOB,STATE,PROCS,SELF
say cgfreeze -w "$NODESET" thaw --wait demo
say cgkill -w "$NODESET" -9 --wait demo
say cgstat -w "$NODESET" --json demo
say cgfreeze -w "$NODESET" rm demo
echo
echo "Removing the nodes, their cgroups and keys."
