#!/bin/bash
# node_enter.sh NODES_DIR NAME COMMAND...: runs COMMAND inside namespace node
# NAME (tests/nodes/nodes_lib.sh): first in the node's own cgroups, so that
# it sees itself inside the node's cgroup namespace, then in all its
# namespaces. ssh's ProxyCommand starts `sshd -i` through it; exit 255 (as
# ssh's own failures) when the node is not there.
dir=$1 name=$2
shift 2
pid=$(cat "$dir/$name/pid" 2>/dev/null) || { echo "node_enter: no node $name" >&2; exit 255; }
while read -r cg; do
  echo $$ > "$cg/cgroup.procs" || exit 255
done < "$dir/$name/cgroups"
exec nsenter -t "$pid" -a "$@"
