# An ordinary user runs the tools inside a cgroup subtree delegated to it the
# kernel's way (cgroup-v2.rst, "Delegation"), with no --root and no CGJOB_ROOT:
# the default job root must be <subtree>/cgjobs. Run as root, which sets up
# the delegation: a test user, a subtree chowned to it, and a session leaf in
# which every tool is started before it drops to the user with setpriv.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to set up a delegation"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
command -v python3 >/dev/null || skip "needs python3 to parse JSON"
MOUNT=$(find_mount "$HIER")
[ -n "$MOUNT" ] || skip "no $HIER freezer hierarchy mounted"
SELF=$(readlink -f "${BASH_SOURCE[0]}")
cd / || exit 1
unset CGJOB_ROOT
export CGJOB_HIERARCHY="$HIER"

TEST_USER=cgjobs-test
SUBTREE="$MOUNT/cgjobs-test-$$-rootless"   # delegated to TEST_USER
SESSION="$SUBTREE/session"                 # a leaf, the delegator's, where the user's tools start
NODELEG="$MOUNT/cgjobs-test-$$-rootless-nodeleg"  # root's: no delegation anywhere above it
ROOT="$SUBTREE/cgjobs"                     # the job root the tools must pick by themselves
CREATED_USER=0

# The test user is shared by the v1 and v2 runs: one run at a time, so that
# the run that created the user can delete it without pulling it from under
# the other. The lock is on this script itself: no lock file to leave behind.
exec 9<"$SELF" || skip "cannot open $SELF to lock it"
flock -w 200 9 || { echo "FAIL - another rootless test holds the lock"; echo "0 passed, 1 failed"; exit 1; }

cleanup_rootless() {
  local rc=$? d i pids
  disown -a 2>/dev/null  # no "Killed" notices for the jobs killed below
  for d in "$SUBTREE" "$NODELEG"; do
    [ -d "$d" ] || continue
    # Thaw first (a frozen v1 task does not die), then kill what is inside.
    find "$d" -depth -type d | while read -r c; do
      if [ "$HIER" = v2 ]; then echo 0 > "$c/cgroup.freeze" 2>/dev/null
      else echo THAWED > "$c/freezer.state" 2>/dev/null; fi
    done
    for i in $(seq 1 20); do
      pids=$(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | grep -v '^0$' || true)
      [ -z "$pids" ] && break
      kill -KILL $pids 2>/dev/null
      sleep 0.05
    done
  done
  for p in "${STARTED_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -n "${LOCK_DIR:-}" ] && rm -rf "$LOCK_DIR"
  for d in "$SUBTREE" "$NODELEG"; do
    for i in $(seq 1 20); do
      [ -d "$d" ] || break
      find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
      [ -d "$d" ] && sleep 0.05
    done
    [ -d "$d" ] && echo "WARNING: could not remove $d"
  done
  if [ "$CREATED_USER" = 1 ]; then
    userdel "$TEST_USER" || echo "WARNING: could not delete user $TEST_USER"
  fi
  echo "$PASSED passed, $FAILED failed"
  if [ "$FAILED" -gt 0 ] && [ "$rc" = 0 ]; then rc=1; fi
  exit $rc
}
trap cleanup_rootless EXIT
trap 'exit 130' INT TERM

if ! id "$TEST_USER" >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin "$TEST_USER" || skip "cannot create user $TEST_USER"
  CREATED_USER=1
fi
U=$(id -u "$TEST_USER")
G=$(id -g "$TEST_USER")

# The delegation, per the kernel's rules: the directory and the files that
# belong to the delegatee. v2: cgroup.procs, cgroup.threads,
# cgroup.subtree_control. v1 has no common-ancestor rule and no threads file;
# its freezer.state is chowned where the kernel allows it (not on the mount
# root, which has none).
mkdir "$SUBTREE" "$SESSION" "$NODELEG" || exit 1
if [ "$HIER" = v2 ]; then files="cgroup.procs cgroup.threads cgroup.subtree_control"
else files="cgroup.procs tasks freezer.state"; fi
chown "$U:$G" "$SUBTREE" || exit 1
# Root's runs here keep their locks in a directory of their own; the user's
# runs need one the user owns (the tools refuse a lock directory of another's).
use_private_lock_dir
USER_LOCK_DIR="$LOCK_DIR/user"
mkdir -m 0700 "$USER_LOCK_DIR" && chown "$U:$G" "$USER_LOCK_DIR" || exit 1
chmod 0755 "$LOCK_DIR"
for f in $files; do chown "$U:$G" "$SUBTREE/$f" || exit 1; done

# as_user_in CGROUP CMD... : a shell moved into CGROUP by root, which then
# becomes the test user for good and runs CMD.
as_user_in() {
  local cg=$1; shift
  ( echo "$BASHPID" > "$cg/cgroup.procs" && CGJOB_LOCK_DIR=$USER_LOCK_DIR exec setpriv --reuid="$U" --regid="$G" --clear-groups -- "$@" )
}
as_user() { as_user_in "$SESSION" "$@"; }
# Starts CMD in the background in CGROUP, as the user or (with "root") as
# root; sets LAST_PID (the same PID across the execs) and tracks it.
spawn_in() {
  local who=$1 cg=$2; shift 2
  if [ "$who" = root ]; then ( echo "$BASHPID" > "$cg/cgroup.procs" && exec "$@" ) &
  else ( echo "$BASHPID" > "$cg/cgroup.procs" && CGJOB_LOCK_DIR=$USER_LOCK_DIR exec setpriv --reuid="$U" --regid="$G" --clear-groups -- "$@" ) &
  fi
  LAST_PID=$!
  track "$LAST_PID"
  disown "$LAST_PID"  # the tools kill it: no "Killed" notice from bash
}
is_comm() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]; }
owner_of() { stat -c %u "$1"; }
pyexpect() {
  local what=$1 json=$2 expr=$3
  if printf '%s' "$json" | python3 -c "
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if ($expr) else 1)" 2>/dev/null; then pass "$what"; else fail "$what: $expr"; fi
}
one_line() { test "$(printf '%s\n' "$ERR" | wc -l)" = 1; }
has() { [[ "$ERR" == *"$1"* ]]; }

if ! as_user test -x "$CGFREEZE" -a -x "$CGKILL" -a -x "$CGSTAT"; then
  skip "the test user cannot execute the built tools in $BIN"
fi

# --- no delegation: a clear one-line error, exit 1, nothing created -------------
for tool in "$CGFREEZE create x" "$CGSTAT" "$CGKILL x"; do
  check "no delegated cgroup: ${tool##*/} fails with 1" 1 as_user_in "$NODELEG" $tool
  expect "... in one line" one_line
  expect "... naming the caller's cgroup" has "$NODELEG"
  expect "... and how to get a delegated one" has "systemd-run --user --scope -p Delegate=yes"
done
expect "... and it says what to chown" has "chown"
expect "nothing was created in the undelegated cgroup" test -z "$(find "$NODELEG" -mindepth 1 -type d)"

# --- the default root is <subtree>/cgjobs -------------------------------------------
check "cgstat --json as the user" 0 as_user "$CGSTAT" --json
pyexpect "... reports root $ROOT on $HIER" "$OUT" \
  "d['root'] == '$ROOT' and d['hierarchy'] == '$HIER' and d['mount'] == '$MOUNT' and d['jobs'] == []"
# Under systemd (a guest booted with it) root's jobs live in cgjobs.service.
ROOT_DEFAULT=$MOUNT/cgjobs
if [ "$HIER" = v2 ] && [ -d /run/systemd/system ] && [ -f "$MOUNT/init.scope/cgroup.procs" ]; then
  ROOT_DEFAULT=$MOUNT/system.slice/cgjobs.service/jobs
fi
check "root's own default is still its own ($ROOT_DEFAULT)" 0 "$CGSTAT" --json
pyexpect "... cgstat --json says so" "$OUT" "d['root'] == '$ROOT_DEFAULT'"

# --- the README demo, end to end, as the user -----------------------------------
for i in 1 2; do
  PID=$(as_user "$CGFREEZE" run --detach demo -- sh -c 'while :; do :; done'); track "$PID"
done
PID=$(as_user "$CGFREEZE" run --detach demo -- sh -c 'while :; do sh -c "exit 0"; done'); track "$PID"
expect "run --detach created the job root and the job in the subtree" test -d "$ROOT/demo"
expect "... owned by the user (the kernel gives a creator its cgroups)" test "$(owner_of "$ROOT/demo")" = "$U"
expect "... with the three workers in it" test "$(nprocs demo)" -ge 3
expect "... running as the user" test "$(owner_of "/proc/$PID")" = "$U"
check "cgfreeze --wait demo" 0 as_user "$CGFREEZE" --wait --timeout 20 demo
expect "the kernel shows demo FROZEN" test "$(kernel_state demo)" = FROZEN
check "cgstat demo" 0 as_user "$CGSTAT" demo
expect "... shows FROZEN" eval '[[ "$OUT" == *demo*FROZEN* ]]'
check "cgstat --json demo" 0 as_user "$CGSTAT" --json demo
pyexpect "... FROZEN, self_freezing, its processes" "$OUT" \
  "d['jobs'][0]['state'] == 'FROZEN' and d['jobs'][0]['self_freezing'] and d['jobs'][0]['nprocs'] >= 3"
check "run into the frozen job is refused" 1 as_user "$CGFREEZE" run demo -- true
check "cgfreeze thaw --wait demo" 0 as_user "$CGFREEZE" thaw --wait --timeout 20 demo
expect "the kernel shows demo THAWED" test "$(kernel_state demo)" = THAWED
check "cgkill -9 --wait demo" 0 as_user "$CGKILL" -9 --wait --timeout 20 demo
expect "demo is empty" test "$(nprocs demo)" = 0

for i in 1 2; do
  PID=$(as_user "$CGFREEZE" run --detach batch/$i -- sh -c 'while :; do sleep 0.01; done'); track "$PID"
done
check "cgfreeze --wait batch (with sub-jobs)" 0 as_user "$CGFREEZE" --wait --timeout 20 batch
expect "... batch/2 is FROZEN" test "$(kernel_state batch/2)" = FROZEN
check "cgfreeze thaw --wait batch" 0 as_user "$CGFREEZE" thaw --wait --timeout 20 batch
check "cgkill -TERM --wait batch (freeze and signal through pidfds)" 0 as_user "$CGKILL" -TERM --wait --timeout 20 batch
expect "... batch/1 and batch/2 are empty" test "$(nprocs batch/1)$(nprocs batch/2)" = 00
PID=$(as_user "$CGFREEZE" run --detach batch/1 -- sleep 1000); track "$PID"
check "cgfreeze --wait batch again" 0 as_user "$CGFREEZE" --wait --timeout 20 batch
check "cgfreeze rm --kill batch (frozen)" 0 as_user "$CGFREEZE" rm --kill --timeout 20 batch
expect "... batch is gone" test ! -e "$ROOT/batch"
check "cgfreeze rm demo" 0 as_user "$CGFREEZE" rm demo
expect "... demo is gone" test ! -e "$ROOT/demo"

OUT=$(as_user "$CGFREEZE" run r1 -- cat /proc/self/cgroup); rc=$?
expect "run (attached) exits with the command's status" test "$rc" = 0
if [ "$HIER" = v2 ]; then line=$(echo "$OUT" | grep '^0::'); else line=$(echo "$OUT" | grep freezer); fi
expect "... and COMMAND ran inside the job ($line)" test "${line##*:}" = "${ROOT#"$MOUNT"}/r1"
OUT=$(as_user "$CGFREEZE" run r1 -- "$CGSTAT" --json); rc=$?
pyexpect "a tool run inside a job sees the same root" "$OUT" "d['root'] == '$ROOT'"

# --- create and add within the delegation ---------------------------------------
check "create build sub/job" 0 as_user "$CGFREEZE" create build sub/job
spawn_in user "$SESSION" sleep 1000; MINE=$LAST_PID
spawn_in user "$SESSION" sleep 1000; MINE2=$LAST_PID
eventually is_comm "$MINE" sleep && eventually is_comm "$MINE2" sleep
check "add moves the user's process from its session into a job" 0 as_user "$CGFREEZE" add build "$MINE"
expect "... it is in build" grep -qx "$MINE" "$ROOT/build/cgroup.procs"
check "create --pid" 0 as_user "$CGFREEZE" create --pid "$MINE2" other
expect "... it is in other" grep -qx "$MINE2" "$ROOT/other/cgroup.procs"
check "add moves it on between jobs" 0 as_user "$CGFREEZE" add sub/job "$MINE"
expect "... it is in sub/job" grep -qx "$MINE" "$ROOT/sub/job/cgroup.procs"
check "freeze --wait sub" 0 as_user "$CGFREEZE" --wait --timeout 20 sub
expect "... sub/job is FROZEN" test "$(kernel_state sub/job)" = FROZEN
check "thaw --wait sub" 0 as_user "$CGFREEZE" thaw --wait --timeout 20 sub

# --- moves the kernel refuses: a clear EACCES message ----------------------------
spawn_in root "$NODELEG" sleep 1000; THEIRS=$LAST_PID
eventually is_comm "$THEIRS" sleep
check "add of root's process from an undelegated cgroup fails with 1" 1 as_user "$CGFREEZE" add build "$THEIRS"
expect "... in one line" one_line
expect "... saying Permission denied" has "Permission denied"
if [ "$HIER" = v2 ]; then
  expect "... and that the common ancestor's cgroup.procs must be writable" has "common ancestor"
  expect "... naming it ($MOUNT/cgroup.procs)" has "($MOUNT/cgroup.procs)"
else
  expect "... and what v1 wants (the job's cgroup.procs, the same uid)" has "uid"
fi
expect "... and the process did not move" grep -qx "$THEIRS" "$NODELEG/cgroup.procs"
JOB_OUT="/${NODELEG#"$MOUNT"/}"
check "add into a cgroup outside the delegation fails with 1" 1 as_user "$CGFREEZE" add "$JOB_OUT" "$MINE2"
expect "... in one line" one_line
expect "... saying Permission denied" has "Permission denied"
if [ "$HIER" = v2 ]; then expect "... and naming the common ancestor rule" has "common ancestor"
else expect "... and what v1 wants" has "cgroup.procs"; fi
expect "... and the process stayed in its job" grep -qx "$MINE2" "$ROOT/other/cgroup.procs"

# --- clean up as the user ---------------------------------------------------------
check "rm of a job with processes is refused" 1 as_user "$CGFREEZE" rm sub
expect "... and sub/job is still there" test -d "$ROOT/sub/job"
check "rm --kill removes them all" 0 as_user "$CGFREEZE" rm --kill --timeout 20 build sub other r1
check "cgstat lists no jobs" 0 as_user "$CGSTAT" --json
pyexpect "... (none left)" "$OUT" "d['jobs'] == []"
