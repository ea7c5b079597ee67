#!/usr/bin/env bash
# -w/--nodes over three namespace nodes (nodes_lib.sh: what they share, unlike
# real machines), through real ssh and ClusterShell: cgstat's merged table,
# JSON and watch stream; a gang freeze and thaw; cgkill everywhere; a node
# set with a typo; a job missing on one node; a node whose sshd cannot
# start; a node slow to freeze (a task stalled in FUSE) and --timeout;
# cgfreeze migrate's refusals, and a migration (or, where CRIU cannot run
# here, its failure, with the job going on at the source).
# Run once per hierarchy (CGJOB_TEST_HIERARCHY); skipped (77) where sshd or
# ClusterShell is missing.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../cli/lib.sh"  # check, expect, eventually, kernel_state, need_stall
source "$here/nodes_lib.sh"
export CGJOB_HIERARCHY=$HIER
unset CGJOB_ROOT CGJOB_NODES

nodes_prerequisites
[ "$HIER" = v2 ] && [ -z "$V2_MOUNT" ] && skip "no v2 hierarchy mounted"
[ "$HIER" = v1 ] && [ -z "$V1_MOUNT" ] && skip "no v1 freezer hierarchy mounted"
# The FUSE mount goes first: the nodes' mount namespaces are copies made
# when they start. Without /dev/fuse only the slow-node case is left out.
STALL_DIR=$(mktemp -d /tmp/cgjob-nodes-stall.XXXXXX)
HAVE_STALL=0
if [ -c /dev/fuse ]; then need_stall "$STALL_DIR"; HAVE_STALL=1; fi
finish() {
  local rc=$?
  end_stall
  nodes_cleanup
  rm -rf "$STALL_DIR"
  echo "$PASSED passed, $FAILED failed"
  if [ "$FAILED" -gt 0 ] && [ "$rc" = 0 ]; then rc=1; fi
  exit "$rc"
}
nodes_setup cgnode1 cgnode2 cgnode3
trap finish EXIT
ALL="cgnode1 cgnode2 cgnode3"

# The state of JOB on NODE as the kernel shows it, and whether it asked.
node_state() { ROOT="$(node_cgroup "$1" "$HIER")/cgjobs" kernel_state "$2"; }
node_requested() { ROOT="$(node_cgroup "$1" "$HIER")/cgjobs" self_requested "$2"; }
node_nprocs() { ROOT="$(node_cgroup "$1" "$HIER")/cgjobs" nprocs "$2"; }
states_are() {  # states_are JOB STATE NODE...
  local job=$1 want=$2 n; shift 2
  for n in "$@"; do [ "$(node_state "$n" "$job")" = "$want" ] || return 1; done
}
none_requested() { local job=$1 n; shift; for n in "$@"; do node_requested "$n" "$job" && return 1; done; return 0; }
# A sleeper in JOB on NODE, started inside the node (not over ssh).
sleeper_on() { on_node "$1" "$CGFREEZE" run --detach "$2" -- sleep 1000 >/dev/null; }
json_check() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if ($2) else 1)" "$1"; }

for n in $ALL; do sleeper_on "$n" web; done

# --- cgstat -w: one table, one document, one stream ---
check "cgstat -w: the table of all nodes" 0 "$CGSTAT" -w "$NODESET" web
expect "the table has a NODE column and a row per node" \
  test "$OUT" = "$(printf 'NODE     JOB  STATE   PROCS\ncgnode1  web  THAWED      1\ncgnode2  web  THAWED      1\ncgnode3  web  THAWED      1')"
check "cgstat --nodes --json: one document" 0 "$CGSTAT" --nodes "$NODESET" --json web
expect "each job has its node, each node its hierarchy" json_check "$OUT" \
  "[j['node'] for j in d['jobs']] == ['cgnode1','cgnode2','cgnode3'] and [n['hierarchy'] for n in d['nodes']] == ['$HIER']*3 and all(j['nprocs'] == 1 for j in d['jobs'])"
check "CGJOB_NODES and a ClusterShell group (@cgnodes)" 0 env CGJOB_NODES=@cgnodes "$CGSTAT" --json web
expect "the group's three nodes answered" json_check "$OUT" "len(d['jobs']) == 3"
check "cgstat -w --watch --json: one stream" 0 "$CGSTAT" -w "$NODESET" --watch --json --timeout 1 web
expect "each line of the stream has its node" json_check "[$(paste -sd, <<<"$OUT")]" \
  "sorted(l['node'] for l in d) == ['cgnode1','cgnode2','cgnode3'] and all(l['event'] == 'initial' for l in d)"

# --- bad input: exit 2, no node contacted, nothing changed ---
# (cgnode9 is no node: were it contacted, its ProxyCommand would fail, exit 1.)
check "a node set with a typo: exit 2" 2 "$CGFREEZE" -w 'cgnode[1-3' --wait web
expect "one line naming the node set" test "$(wc -l <<<"$ERR")" = 1 -a -n "$(grep -F 'cgnode[1-3' <<<"$ERR")"
check "cgkill with a node set typo: exit 2" 2 "$CGKILL" -w 'cgnode[3-1]' -9 web
check "cgstat with a node set typo: exit 2" 2 "$CGSTAT" -w 'cgnode[a-b]' web
check "a bad duration is refused before any node is contacted" 2 "$CGFREEZE" -w cgnode9 --timeout soon web
check "a bad job name is refused before any node is contacted" 2 "$CGKILL" -w cgnode9 'a/../b'
expect "nothing was frozen or signalled" states_are web THAWED $ALL
expect "every sleeper still runs" eval '[ "$(node_nprocs cgnode1 web)$(node_nprocs cgnode2 web)$(node_nprocs cgnode3 web)" = 111 ]'

# --- create and rm on every node; the other subcommands refuse -w ---
check "cgfreeze -w create" 0 "$CGFREEZE" -w "$NODESET" create made
expect "made on every node" eval '(for n in $ALL; do [ -d "$(node_cgroup $n "$HIER")/cgjobs/made" ] || exit 1; done)'
check "cgfreeze -w rm" 0 "$CGFREEZE" -w "$NODESET" rm made
expect "removed on every node" eval '(for n in $ALL; do [ ! -e "$(node_cgroup $n "$HIER")/cgjobs/made" ] || exit 1; done)'
check "cgfreeze -w run is refused: exit 2" 2 "$CGFREEZE" -w "$NODESET" run made -- true
check "CGJOB_NODES with checkpoint is refused: exit 2" 2 env CGJOB_NODES="$NODESET" "$CGFREEZE" checkpoint web /tmp/x
check "cgfreeze -w rm with a bad duration: exit 2 before any node" 2 "$CGFREEZE" -w cgnode9 rm --timeout soon made

# --- a gang freeze and thaw ---
check "cgfreeze -w --wait: a gang freeze" 0 "$CGFREEZE" -w "$NODESET" --wait web
expect "FROZEN on every node" states_are web FROZEN $ALL
check "cgstat -w shows it" 0 "$CGSTAT" -w "$NODESET" -o JOB,STATE -n web
expect "three FROZEN rows" test "$(grep -c ' FROZEN$' <<<"$OUT")" = 3
check "cgfreeze -w thaw --wait" 0 "$CGFREEZE" -w "$NODESET" thaw --wait web
expect "THAWED on every node" states_are web THAWED $ALL

# --- a job missing on one node ---
sleeper_on cgnode1 half; sleeper_on cgnode2 half
check "cgstat -w: a job missing on one node is exit 3" 3 "$CGSTAT" -w "$NODESET" --json half
expect "the others are still reported" json_check "$OUT" "[j['node'] for j in d['jobs']] == ['cgnode1','cgnode2']"
expect "stderr names the node that lacks it" grep -q '^cgnode3: cgstat: half: ' <<<"$ERR"
check "a gang freeze of a job missing on one node: exit 3" 3 "$CGFREEZE" -w "$NODESET" --wait half
expect "all or nothing: frozen nowhere" states_are half THAWED cgnode1 cgnode2
check "cgkill -w -9 --wait of a job missing on one node: exit 3" 3 "$CGKILL" -w "$NODESET" -9 --wait half
expect "the others were killed" eval '[ "$(node_nprocs cgnode1 half)$(node_nprocs cgnode2 half)" = 00 ]'

# --- a node whose sshd cannot start ---
stop_sshd cgnode3
check "cgstat -w with a node down: exit 1" 1 "$CGSTAT" -w "$NODESET" --json web
expect "the others are reported, the node is listed with its error" json_check "$OUT" \
  "len(d['jobs']) == 2 and 'unreachable' in d['nodes'][2]['error'] and d['nodes'][2]['node'] == 'cgnode3'"
expect "stderr says unreachable, not 'no such job'" \
  eval 'grep -q "^cgstat: cgnode3: unreachable: .*(ssh status 255)$" <<<"$ERR" && ! grep -qi "no such job" <<<"$ERR"'
check "a gang freeze with a node down: exit 1" 1 "$CGFREEZE" -w "$NODESET" --wait web
expect "all or nothing: the reachable nodes are not frozen" states_are web THAWED cgnode1 cgnode2
for n in $ALL; do on_node "$n" "$CGFREEZE" freeze --wait web; done
check "a gang thaw with a node down: exit 1" 1 "$CGFREEZE" -w "$NODESET" thaw --wait web
expect "all or nothing: frozen again where this run thawed it" eventually states_are web FROZEN $ALL
check "-q: a node down says nothing, the status tells" 1 "$CGSTAT" -q -w "$NODESET" web
expect "nothing on stderr" test -z "$ERR"
for n in $ALL; do on_node "$n" "$CGFREEZE" thaw --wait web; done
check "cgkill -w -9 --wait with a node down: exit 1" 1 "$CGKILL" -w "$NODESET" -9 --wait web
expect "the reachable nodes' jobs were killed" eval '[ "$(node_nprocs cgnode1 web)$(node_nprocs cgnode2 web)" = 00 ]'
expect "the unreachable node's job was left alone" test "$(node_nprocs cgnode3 web)" = 1
expect "cgkill names the node" grep -q '^cgkill: cgnode3: unreachable' <<<"$ERR"
on_node cgnode3 mkdir -m 755 /run/sshd  # its sshd can start again

# --- cgkill -w everywhere ---
for n in cgnode1 cgnode2; do sleeper_on "$n" web; done
check "cgkill -w -9 --wait: every node" 0 "$CGKILL" -w "$NODESET" -9 --wait web
expect "empty everywhere" eval '[ "$(node_nprocs cgnode1 web)$(node_nprocs cgnode2 web)$(node_nprocs cgnode3 web)" = 000 ]'

# --- a node slow to freeze: --timeout rolls the others back ---
if [ "$HAVE_STALL" = 1 ]; then
  for n in $ALL; do sleeper_on "$n" slow; sleeper_on "$n" pre; done
  on_node cgnode2 "$CGFREEZE" run --detach slow -- cat "$STALL_MNT/x" >/dev/null
  stalled=$(tail -n1 "$(node_cgroup cgnode2 "$HIER")/cgjobs/slow/cgroup.procs")
  expect "a task of cgnode2's job is stuck in FUSE" eventually stuck_on_stall "$stalled"
  on_node cgnode1 "$CGFREEZE" freeze --wait pre  # frozen before: stays so
  check "a gang freeze that one node cannot finish: exit 124" 124 \
    "$CGFREEZE" -w "$NODESET" --wait --timeout 2 slow pre
  expect "stderr names the node that timed out" grep -q '^cgfreeze: cgnode2: freeze failed (status 124)' <<<"$ERR"
  expect "the others are thawed back" eval 'states_are slow THAWED cgnode1 cgnode3 && none_requested slow $ALL'
  expect "a job frozen before the run stays frozen" eval 'node_requested cgnode1 pre && states_are pre FROZEN cgnode1'
  expect "the jobs this run froze are thawed" none_requested pre cgnode2 cgnode3
else
  echo "# no /dev/fuse: the slow-node case is left out"
  [ "${CGJOB_TEST_STRICT:-0}" = 1 ] && fail "CGJOB_TEST_STRICT=1 but no /dev/fuse for the slow-node case"
fi

# --- cgfreeze migrate ---
sleeper_on cgnode1 mig
check "migrate to the same node: exit 2" 2 "$CGFREEZE" migrate mig --from cgnode1 --to cgnode1
check "migrate from more than one node: exit 2" 2 "$CGFREEZE" migrate mig --from 'cgnode[1-2]' --to cgnode3
check "migrate a job the source lacks: exit 3" 3 "$CGFREEZE" migrate nosuch --from cgnode1 --to cgnode2
sleeper_on cgnode2 taken
sleeper_on cgnode1 taken
check "migrate onto a job of that name: exit 1" 1 "$CGFREEZE" migrate taken --from cgnode1 --to cgnode2
on_node cgnode1 sh -c 'mkdir -p /run/own && cd /run/own && exec "$1" run --detach private -- sleep 1000' sh \
  "$CGFREEZE" >/dev/null
check "migrate a job whose files are not shared: exit 1" 1 "$CGFREEZE" migrate private --from cgnode1 --to cgnode2
expect "the refusal names the file" grep -q 'not the same on cgnode1 and cgnode2.*/run/own' <<<"$ERR"
expect "the refused job goes on at the source" eval 'states_are private THAWED cgnode1 && [ "$(node_nprocs cgnode1 private)" = 1 ]'
expect "nothing at the destination" test ! -e "$(node_cgroup cgnode2 "$HIER")/cgjobs/private"
if "$CGFREEZE" --version -v | grep -q '^checkpoint: yes'; then
  check "migrate moves the job" 0 "$CGFREEZE" migrate mig --from cgnode1 --to cgnode2
  expect "it runs at the destination" eval 'states_are mig THAWED cgnode2 && [ "$(node_nprocs cgnode2 mig)" = 1 ]'
  expect "it is gone at the source" test ! -e "$(node_cgroup cgnode1 "$HIER")/cgjobs/mig"
else
  check "migrate where checkpoint cannot run: exit 1" 1 "$CGFREEZE" migrate mig --from cgnode1 --to cgnode2
  expect "the job goes on at the source as it was" eval 'states_are mig THAWED cgnode1 && none_requested mig cgnode1 && [ "$(node_nprocs cgnode1 mig)" = 1 ]'
  expect "nothing at the destination" test ! -e "$(node_cgroup cgnode2 "$HIER")/cgjobs/mig"
fi
expect "no checkpoint directory is left" eval '! compgen -G "/var/tmp/cgjob-migrate-*" >/dev/null'
