# Namespace nodes: several "machines" on this one, reached through real ssh
# and ClusterShell. Sourced by tests/nodes/*.sh and scripts/nodes-demo.sh.
#
# Each node is a long-lived process (node_init.sh) in its own mount, PID,
# UTS, network and cgroup namespaces, started from inside cgroups of its
# own that the harness makes (uniquely named per run, in every freezer
# hierarchy mounted here); inside, those cgroups are the mount roots, so the
# node's default job root is its own. ssh reaches a node with a key made
# for the run: ProxyCommand starts `sshd -i` inside the node's namespaces
# (node_enter.sh), so there is no IP traffic at all, not even on loopback.
# ClusterShell reads a clush.conf of the run (CLUSTERSHELL_CFGDIR) that
# points ssh at the run's ssh_config.
#
# What these nodes share, unlike real machines (test-only shortcuts):
# - one kernel: one freezer implementation, one set of kernel bugs, one
#   pid_max; a node cannot crash or reboot on its own;
# - one clock: no skew between nodes; timeouts are measured on one clock;
# - one filesystem: the tools are at the same path on every node because it
#   is the same file (a shared install), and so is every job's working
#   directory (the shared storage a migration needs);
# - one user database and one root: ssh logs in as root on every node with
#   the same key; host keys are one key for all nodes;
# - no network: ssh runs over a pipe (ProxyCommand), so network failures
#   are played by an sshd that cannot start, not by lost packets;
# - the nodes' cgroups are sub-trees of this machine's, seen as roots
#   through cgroup namespaces, not cgroup mounts of their own kernels.
#
# nodes_setup NAME...   starts the nodes; NODESET is their node set
# on_node NAME CMD...   runs CMD inside node NAME (its cgroups, namespaces)
# node_cgroup NAME HIER the node's cgroup (HIER v1 or v2) as seen here
# stop_sshd NAME        makes the node's sshd unable to start (exit 255)
# nodes_cleanup         kills every node by PID, removes every cgroup (the
#                       EXIT trap of nodes_setup; a test's own trap calls it)
set -u

NODES_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$NODES_HERE/../support/skip.sh"  # skip REASON
source "$NODES_HERE/../support/mounts.sh"  # tool_mount CGSTAT HIER
NODE_NAMES=()
NODE_PIDS=()     # the nodes' first processes, as this machine counts PIDs
UNSHARE_PIDS=()  # their unshare(1) parents, our children
NODES_DIR=""
SSHD=""

# Skips (exit 77, with the reason) where nodes cannot be made here.
nodes_prerequisites() {
  [ "$(id -u)" = 0 ] || skip "namespace nodes need root (namespaces, cgroups, sshd)"
  SSHD=$(command -v sshd || echo /usr/sbin/sshd)
  [ -x "$SSHD" ] || skip "no sshd (Debian: openssh-server) for the namespace nodes"
  local tool
  for tool in ssh ssh-keygen nsenter unshare clush; do
    command -v "$tool" >/dev/null || skip "no $tool for the namespace nodes (Debian: openssh-client, util-linux, clustershell)"
  done
  /usr/bin/python3 -c 'import ClusterShell' 2>/dev/null || skip "no ClusterShell for /usr/bin/python3 (Debian: python3-clustershell)"
  # Where the tools find each hierarchy here: the nodes mount theirs there.
  V2_MOUNT=$(tool_mount "${CGSTAT:-cgstat}" v2)
  V1_MOUNT=$(tool_mount "${CGSTAT:-cgstat}" v1)
  [ -n "$V2_MOUNT$V1_MOUNT" ] || skip "no freezer hierarchy mounted"
}

# The run's keys, sshd_config, ssh_config and clush.conf, in NODES_DIR.
nodes_write_config() {
  ssh-keygen -q -t ed25519 -N '' -C cgjob-nodes-host -f "$NODES_DIR/host_key" || return 1
  ssh-keygen -q -t ed25519 -N '' -C cgjob-nodes-user -f "$NODES_DIR/id" || return 1
  cp "$NODES_DIR/id.pub" "$NODES_DIR/authorized_keys"
  echo "cgnode* $(cut -d' ' -f1,2 "$NODES_DIR/host_key.pub")" > "$NODES_DIR/known_hosts"
  cat > "$NODES_DIR/sshd_config" <<CONF
HostKey $NODES_DIR/host_key
AuthorizedKeysFile $NODES_DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
PrintLastLog no
UseDNS no
LogLevel ERROR
Subsystem sftp internal-sftp
CONF
  cat > "$NODES_DIR/ssh_config" <<CONF
Host cgnode*
  User root
  IdentityFile $NODES_DIR/id
  IdentitiesOnly yes
  UserKnownHostsFile $NODES_DIR/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  LogLevel ERROR
  ProxyCommand bash $NODES_HERE/node_enter.sh $NODES_DIR %h $SSHD -i -f $NODES_DIR/sshd_config
# Any other name fails at once, without a DNS query: no test leaves the machine.
Host *
  ProxyCommand false
CONF
  mkdir "$NODES_DIR/clustershell"
  cat > "$NODES_DIR/clustershell/clush.conf" <<CONF
[Main]
fanout: 64
connect_timeout: 15
command_timeout: 0
ssh_options: -F $NODES_DIR/ssh_config
CONF
  # A node group, @cgnodes, as a site would configure one.
  cat > "$NODES_DIR/clustershell/groups.conf" <<CONF
[Main]
default: local
[local]
map: sed -n 's/^\$GROUP:\(.*\)/\1/p' $NODES_DIR/clustershell/groups
list: sed -n 's/^\([0-9A-Za-z_-]*\):.*/\1/p' $NODES_DIR/clustershell/groups
CONF
  export CLUSTERSHELL_CFGDIR="$NODES_DIR/clustershell"
}

# node_up NAME: makes the node's cgroups, starts it, waits until it is ready.
node_up() {
  local name=$1 hier mount cgdir ready line
  mkdir "$NODES_DIR/$name"
  : > "$NODES_DIR/$name/cgroups"
  for hier in v2 v1; do
    [ "$hier" = v2 ] && mount=$V2_MOUNT || mount=$V1_MOUNT
    [ -n "$mount" ] || continue
    cgdir="$mount/cgjob-nodes-$$-$name"
    mkdir "$cgdir" || return 1
    echo "$cgdir" >> "$NODES_DIR/$name/cgroups"
    echo "$cgdir" > "$NODES_DIR/$name/$hier"
  done
  ready="$NODES_DIR/$name/ready"
  mkfifo "$ready"
  local fd
  exec {fd}<>"$ready"  # opened both ways: neither side blocks on the open
  (
    while read -r cgdir; do echo "$BASHPID" > "$cgdir/cgroup.procs" || exit 1; done < "$NODES_DIR/$name/cgroups"
    exec unshare --mount --pid --uts --net --cgroup --fork --propagation private \
      bash "$NODES_HERE/node_init.sh" "$name" "$ready" "$V2_MOUNT" "$V1_MOUNT"
  ) </dev/null >/dev/null 2>"$NODES_DIR/$name/init.err" &
  UNSHARE_PIDS+=($!)
  line=""
  read -r -t 10 -u "$fd" line
  exec {fd}<&-
  [ "${line%% *}" = ready ] || { echo "node $name did not start: $(cat "$NODES_DIR/$name/init.err")" >&2; return 1; }
  echo "${line#ready }" > "$NODES_DIR/$name/pid"
  NODE_NAMES+=("$name")
  NODE_PIDS+=("${line#ready }")
  echo "$name" >> "$NODES_DIR/names"
}

# nodes_setup NAME...: the run's configuration, then every node; NODESET is
# their node set, folded by ClusterShell ("cgnode[1-3]"), and @cgnodes too.
nodes_setup() {
  nodes_prerequisites
  NODES_DIR=$(mktemp -d /tmp/cgjob-nodes.XXXXXX) || exit 1
  chmod 755 "$NODES_DIR"
  trap 'rc=$?; nodes_cleanup; exit $rc' EXIT
  trap 'exit 130' INT TERM
  nodes_write_config || { echo "could not write the nodes' configuration" >&2; exit 1; }
  local name
  for name in "$@"; do node_up "$name" || exit 1; done
  NODESET=$(nodeset -f "$@")
  echo "cgnodes: $NODESET" > "$NODES_DIR/clustershell/groups"
}

on_node() { local name=$1; shift; bash "$NODES_HERE/node_enter.sh" "$NODES_DIR" "$name" "$@"; }

node_cgroup() { cat "$NODES_DIR/$1/$2"; }

# The node's sshd can no longer start (its privilege separation directory
# is gone): ssh fails with status 255, as when a node's sshd is stopped.
stop_sshd() { on_node "$1" rmdir /run/sshd; }

# Thaws each node's cgroups (a frozen v1 task dies only once thawed), kills
# each node's first process by PID (which ends every process of its PID
# namespace), then removes the node's cgroups deepest first.
nodes_cleanup() {
  local i pid name hier cgdir
  for name in "${NODE_NAMES[@]}"; do
    for hier in v2 v1; do
      [ -f "$NODES_DIR/$name/$hier" ] || continue
      cgdir=$(cat "$NODES_DIR/$name/$hier")
      find "$cgdir" -depth -type d | while read -r d; do
        if [ "$hier" = v2 ]; then echo 0 > "$d/cgroup.freeze"; else echo THAWED > "$d/freezer.state"; fi 2>/dev/null
      done
    done
  done
  for pid in "${NODE_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  for pid in "${UNSHARE_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  if [ -n "$NODES_DIR" ]; then
    for name in $(cat "$NODES_DIR/names" 2>/dev/null) $(ls "$NODES_DIR" 2>/dev/null); do
      [ -f "$NODES_DIR/$name/cgroups" ] || continue
      while read -r cgdir; do
        for i in $(seq 50); do
          [ -d "$cgdir" ] || break
          find "$cgdir" -depth -type d -exec rmdir {} \; 2>/dev/null
          [ -d "$cgdir" ] && sleep 0.1
        done
        [ -d "$cgdir" ] && echo "WARNING: could not remove $cgdir" >&2
      done < "$NODES_DIR/$name/cgroups"
    done
    rm -rf "$NODES_DIR"
  fi
  NODES_DIR=""
  NODE_NAMES=() NODE_PIDS=() UNSHARE_PIDS=()
}
