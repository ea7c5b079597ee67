#!/bin/bash
# The first process of a namespace node (tests/nodes/nodes_lib.sh), started
# by unshare(1) in fresh mount, PID, UTS, network and cgroup namespaces, from
# inside the node's own cgroups (so that they are its cgroup namespace root).
# node_init.sh NAME READY_FIFO V2_MOUNT V1_MOUNT (either mount may be "").
# Mounts the hierarchies again here, so that the tools' discovery (from
# /proc/self/mountinfo) finds the node's subtree as the mount root; gives the
# node its own /run (job locks, sshd's privilege separation directory);
# writes "ready HOSTPID" to READY_FIFO; then stays, reaping orphans as an
# init does (bash reaps every child it is sent SIGCHLD for).
set -e
name=$1 ready=$2 v2=$3 v1=$4
# The PID the machine knows us by: the /proc mounted from outside still
# counts PIDs in the outer namespace.
read -r hostpid _ < /proc/self/stat
mount -t proc proc /proc
if [ -n "$v2" ]; then umount "$v2"; mount -t cgroup2 cgroup2 "$v2"; fi
if [ -n "$v1" ]; then umount "$v1"; mount -t cgroup -o freezer cgroup "$v1"; fi
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -m 755 /run/sshd
hostname "$name"
# Loopback only, as on any machine (CRIU's check opens a socket); no link
# leads out of the node.
ip link set lo up 2>/dev/null || true
echo "ready $hostpid" > "$ready"
exec 0</dev/null 1>/dev/null 2>/dev/null
while :; do sleep 3600 & wait $!; done
