# Shared by the CLI tests. Source it, then call setup, then write checks.
# Every test works in its own job root ($ROOT, unique per run), signals only
# the processes it started (tracked by PID), and removes everything on exit,
# also when it fails.
set -u

HIER=${CGJOB_TEST_HIERARCHY:-v2}
BIN=${CGJOB_BIN:?CGJOB_BIN must point at the build tree tools directory}
CGFREEZE="$BIN/cgfreeze/cgfreeze"
CGKILL="$BIN/cgkill/cgkill"
CGSTAT="$BIN/cgstat/cgstat"
PASSED=0
FAILED=0
STARTED_PIDS=()

source "$(dirname "${BASH_SOURCE[0]}")/../support/skip.sh"  # skip REASON

source "$(dirname "${BASH_SOURCE[0]}")/../support/mounts.sh"  # tool_mount CGSTAT HIER

# The mount of hierarchy v1 or v2, as the tools find it (never hard-coded).
find_mount() { tool_mount "$CGSTAT" "$1"; }

setup() {
  [ "$(id -u)" = 0 ] || skip "needs root to create cgroups"
  MOUNT=$(find_mount "$HIER")
  [ -n "$MOUNT" ] || skip "no $HIER freezer hierarchy mounted"
  ROOT="$MOUNT/cgjobs-test-$$-$(basename "$0" .sh)"
  export CGJOB_ROOT="$ROOT" CGJOB_HIERARCHY="$HIER"
  use_private_lock_dir
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

# The tools' job locks go to a directory of this run's (removed on exit),
# not to /run/cgjob: nothing is left on the machine.
use_private_lock_dir() {
  LOCK_DIR=$(mktemp -d /tmp/cgjob-test-locks.XXXXXX) || exit 1
  export CGJOB_LOCK_DIR="$LOCK_DIR"
}

# A mount that never answers (helpers/fuse_stall.py): a task touching it
# cannot be frozen, so its job stays FREEZING while the mount lives.
# need_stall DIR: mounts it at DIR/mnt (STALL_MNT), or skips the whole test
# (exit 77, with the reason) where there is no FUSE: the checks of a job that
# cannot freeze live in scripts of their own (safety_stuck.sh,
# removed_stuck.sh), so a skip drops only them, visibly. end_stall closes the
# connection (waking the stuck tasks, so they can die) and detaches the
# mount; cleanup calls it first.
STALL_PID=""
need_stall() {
  STALL_MNT="$1/mnt"
  [ -c /dev/fuse ] || skip "no /dev/fuse: a job that cannot freeze needs a FUSE mount"
  command -v python3 >/dev/null || skip "no python3 for helpers/fuse_stall.py"
  mkdir -p "$STALL_MNT"
  coproc STALLER { python3 "$(dirname "${BASH_SOURCE[0]}")/helpers/fuse_stall.py" "$STALL_MNT" 2>&1; }
  STALL_PID=$STALLER_PID
  local line=""
  read -r -t "$(scaled 5)" line <&"${STALLER[0]}"
  [ "$line" = ready ] || skip "the FUSE mount of helpers/fuse_stall.py did not come up: ${line:-no answer in $(scaled 5) s}"
}
# stuck_on_stall PID: PID waits in the kernel for the stalled mount's answer
# (its wait channel), not merely started on its way there.
stuck_on_stall() { grep -q '^request_wait_answer\|^fuse' "/proc/$1/wchan" 2>/dev/null; }
end_stall() {
  [ -n "$STALL_PID" ] && kill "$STALL_PID" 2>/dev/null && wait "$STALL_PID" 2>/dev/null
  STALL_PID=""
  [ -n "${STALL_MNT:-}" ] && umount -l "$STALL_MNT" 2>/dev/null
  return 0
}

# use_tmpdir NAME: a scratch directory of this run in TMPD, removed by cleanup.
use_tmpdir() { TMPD=$(mktemp -d "/tmp/cgjob-test-$1.XXXXXX") || exit 1; }

# run_in JOB COMMAND...: COMMAND detached in JOB, its PID in PID (and cleaned up).
run_in() { local job=$1; shift; PID=$("$CGFREEZE" run --detach "$job" -- "$@"); track "$PID"; }

# The PIDs whose parent is $1, by /proc/PID/stat: /proc/PID/task/*/children
# needs CONFIG_PROC_CHILDREN, which the patched guest kernel does not have.
children_of() {
  local f line ppid
  for f in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null < "$f" || continue
    read -r _ ppid _ <<<"${line##*) }"  # after the command name: state, ppid
    [ "$ppid" = "$1" ] && { f=${f#/proc/}; echo "${f%/stat}"; }
  done
}

# Starts "$@" in the background and remembers its PID for cleanup.
start() { "$@" & STARTED_PIDS+=($!); LAST_PID=$!; }
track() { STARTED_PIDS+=("$@"); }

freezer_file() { if [ "$HIER" = v2 ]; then echo cgroup.freeze; else echo freezer.state; fi; }

# Thaws and kills what we started or what is inside our root, then removes
# the root deepest first. Touches nothing outside $ROOT.
cleanup() {
  local rc=$?
  end_stall
  [ -n "${TMPD:-}" ] && rm -rf "$TMPD"
  if [ -n "${ROOT:-}" ] && [ -d "$ROOT" ]; then
    find "$ROOT" -depth -mindepth 0 -type d | while read -r d; do
      if [ "$HIER" = v2 ]; then echo 0 > "$d/cgroup.freeze" 2>/dev/null
      else echo THAWED > "$d/freezer.state" 2>/dev/null; fi
    done
    local i
    for i in 1 2 3 4 5 6 7 8 9 10; do
      local pids
      pids=$(find "$ROOT" -name cgroup.procs -exec cat {} + 2>/dev/null | grep -v '^0$' || true)
      [ -z "$pids" ] && break
      kill -KILL $pids 2>/dev/null
      sleep 0.05
    done
  fi
  for p in "${STARTED_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ -n "${ROOT:-}" ] && [ -d "$ROOT" ]; then
    for i in 1 2 3 4 5 6 7 8 9 10; do
      find "$ROOT" -depth -type d -exec rmdir {} \; 2>/dev/null
      [ -d "$ROOT" ] || break
      sleep 0.05
    done
    [ -d "$ROOT" ] && echo "WARNING: could not remove $ROOT"
  fi
  [ -n "${LOCK_DIR:-}" ] && rm -rf "$LOCK_DIR"
  echo "$PASSED passed, $FAILED failed"
  if [ "$FAILED" -gt 0 ] && [ "$rc" = 0 ]; then rc=1; fi
  exit $rc
}

pass() { PASSED=$((PASSED + 1)); echo "ok - $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $*"; }

# check DESCRIPTION EXPECTED_STATUS CMD... : runs CMD, captures $OUT and $ERR.
check() {
  local what=$1 want=$2; shift 2
  OUT=$("$@" 2>/tmp/cgjob-test-err.$$); local got=$?
  ERR=$(cat /tmp/cgjob-test-err.$$); rm -f /tmp/cgjob-test-err.$$
  if [ "$got" = "$want" ]; then pass "$what"; else fail "$what: status $got, wanted $want; stderr: $ERR"; fi
}

# expect DESCRIPTION CONDITION... : passes when the condition (a command) succeeds.
expect() {
  local what=$1 ok=0; shift
  IN_EXPECT=1; "$@" && ok=1; IN_EXPECT=0
  if [ "$ok" = 1 ]; then pass "$what"; else fail "$what"; fi
}

# The state of a job as the kernel shows it: THAWED, FREEZING or FROZEN.
kernel_state() {
  local d="$ROOT/$1"
  if [ "$HIER" = v1 ]; then cat "$d/freezer.state"; return; fi
  local frozen; frozen=$(sed -n 's/^frozen //p' "$d/cgroup.events")
  if [ "$frozen" = 1 ]; then echo FROZEN
  elif [ "$(cat "$d/cgroup.freeze")" = 1 ]; then echo FREEZING
  else echo THAWED; fi
}

# Whether the job itself asked to be frozen (its request, not its state).
self_requested() {
  if [ "$HIER" = v1 ]; then [ "$(cat "$ROOT/$1/freezer.self_freezing")" = 1 ]
  else [ "$(cat "$ROOT/$1/cgroup.freeze")" = 1 ]; fi
}

# A PID that names no process: a child started and reaped just now. PIDs are
# handed out in increasing order, so it is not reused before pid_max wraps.
free_pid() { local p; sh -c 'exit 0' & p=$!; wait "$p"; echo "$p"; }

# The kernel has cgroup.signal (the project's patch, v2) for JOB: cgkill then
# signals it with one write, neither freezing it nor taking its lock.
# CGJOB_NO_CGROUP_SIGNAL=1 makes cgkill take the freeze path all the same.
has_cgroup_signal() { [ -e "$ROOT/$1/cgroup.signal" ]; }

procs_of() { grep -v '^0$' "$ROOT/$1/cgroup.procs" 2>/dev/null; }
nprocs() { procs_of "$1" | wc -l; }

# Conditions for eventually(): they re-read the kernel on every try.
state_is() { [ "$(kernel_state "$1")" = "$2" ]; }
has_procs() { [ "$(nprocs "$1")" -ge "$2" ]; }

# How much slower than this host the machine may be: a guest under TCG runs
# 7-40 times slower (scripts/vm/guest-tests.sh sets it). Bounds on waits for
# the kernel or for a tool scale with it; what is asserted does not.
TIME_SCALE=${CGJOB_TEST_TIME_SCALE:-1}
scaled() { echo $(( $1 * TIME_SCALE )); }
# scaled_s SECONDS: the same for a fraction of a second (0.5 -> 5 at 10).
scaled_s() { awk -v s="$1" -v k="$TIME_SCALE" 'BEGIN { print s * k }'; }
# quiet_for SECONDS: the window a check gives something that must NOT happen
# (a signal, a fork, an exit) to show itself; scaled, as a slow machine takes
# longer to do the wrong thing too. Never a wait for something to happen:
# that is eventually's.
quiet_for() { sleep "$(scaled_s "$1")"; }

# eventually COMMAND...: waits (bounded, 5 s times TIME_SCALE) until the
# command succeeds. The command is run again on each try, so pass a function
# (state_is, has_procs), not test "$(...)". Bounded by time, not tries: each
# try forks.
# A condition never reached is a failure, reported with what was awaited, so
# that a set-up that did not happen cannot pass a check resting on it. Under
# expect (expect "..." eventually COND) the failure is expect's: counted once.
IN_EXPECT=0
eventually() {
  local limit; limit=$(scaled 5)
  local end=$(( SECONDS + limit ))
  while :; do
    "$@" && return 0
    [ "$SECONDS" -ge "$end" ] && break
    sleep 0.01
  done
  if [ "$IN_EXPECT" = 1 ]; then echo "# gave up after $limit s waiting for: $*"
  else fail "gave up after $limit s waiting for: $* (at ${BASH_SOURCE[1]##*/}:${BASH_LINENO[0]})"; fi
  return 1
}

# The flock(2) locks PID holds on PATH now, from /proc/locks (by device and
# inode: "MAJ:MIN:INODE", major and minor in hex). Waiters ("->") hold none.
holds_lock() {
  local pid=$1 major minor ino
  read -r major minor ino < <(stat -L -c '%Hd %Ld %i' "$2") || return 1
  awk -v pid="$pid" -v id="$(printf '%02x:%02x:%s' "$major" "$minor" "$ino")" \
    '$2 == "FLOCK" && $5 == pid && $6 == id { found = 1 } END { exit !found }' /proc/locks
}

# lock_file_name PATH: the name of the job lock file of the job at PATH in
# CGJOB_LOCK_DIR: FNV-1a of the cgroup's identity, "DEVICE:INODE" (as
# lib/freezer/job_lock.cpp names it, the same through any mount or spelling).
lock_file_name() {
  python3 -c '
import sys
h = 14695981039346656037
for c in sys.argv[1].encode():
    h = ((h ^ c) * 1099511628211) % (1 << 64)
print("%016x.lock" % h)' "$(stat -c '%d:%i' "$1")"
}
