#!/bin/bash
# systemd etiquette (issue 13; cgfreeze(1), SYSTEMD), checked inside a guest
# booted with systemd as PID 1 on pure cgroup v2. Not a host test: run it
# through the VM harness from the checkout, e.g.
#   scripts/vm-run.sh --mode systemd -- bash tests/vm/systemd.sh [BUILD_DIR]
# As root, with the tools of BUILD_DIR (default: build). Checks:
#   1. root's default job root is in cgjobs.service (started by the tools),
#      never at the mount root; cgstat --json says where;
#   2. daemon-reload, restarting unrelated services and isolating
#      multi-user.target leave jobs, processes and freeze states alone;
#   3. systemd-cgls shows the jobs under the unit;
#   4. cgfreeze add refuses another unit's process, naming it, unless --steal;
#   5. an ordinary user in a `systemd-run --user --scope -p Delegate=yes`
#      shell runs the rootless flow with no flags.
# Prints "ok"/"FAIL" lines and a last line "N passed, M failed"; exit 77 when
# this is no systemd host.
set -u
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
CGFREEZE=$BUILD/tools/cgfreeze/cgfreeze
CGSTAT=$BUILD/tools/cgstat/cgstat
MOUNT=/sys/fs/cgroup
UNIT_DIR=$MOUNT/system.slice/cgjobs.service
ROOT=$UNIT_DIR/jobs
TAG=sdtest-$$
passed=0 failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
fail() { echo "FAIL - $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

source "$(dirname "${BASH_SOURCE[0]}")/../support/skip.sh"  # skip REASON
[ -d /run/systemd/system ] && [ -d $MOUNT/init.scope ] || skip "not a systemd host"
[ "$(id -u)" = 0 ] || skip "needs root"
for t in "$CGFREEZE" "$CGSTAT"; do [ -x "$t" ] || skip "no $t (build first)"; done
unset CGJOB_ROOT CGJOB_HIERARCHY

TEST_USER=sdtest-user
DROPIN=/run/systemd/system/user@.service.d/sdtest-xdg.conf
cleanup() {
  "$CGFREEZE" thaw "$TAG-a" "$TAG-b" "$TAG-victim" > /dev/null 2>&1
  "$CGFREEZE" rm --kill "$TAG-a" "$TAG-b" "$TAG-victim" > /dev/null 2>&1
  systemctl stop "$TAG-victim.service" "$TAG-other.service" > /dev/null 2>&1
  if id "$TEST_USER" > /dev/null 2>&1; then
    loginctl disable-linger "$TEST_USER" > /dev/null 2>&1
    systemctl stop "user@$(id -u "$TEST_USER").service" > /dev/null 2>&1
    userdel -r "$TEST_USER" > /dev/null 2>&1
  fi
  [ -e "$DROPIN" ] && rm -f "$DROPIN" && systemctl daemon-reload
}
trap cleanup EXIT

state_of() {  # job -> FROZEN/THAWED/... per cgstat --json
  "$CGSTAT" --json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["state"])'
}
cgroup_of() { sed -n 's/^0:://p' "/proc/$1/cgroup"; }

# -- 1. default job root in the delegated unit --------------------------------
systemctl stop cgjobs.service > /dev/null 2>&1  # the tools must start it themselves
pid_a=$("$CGFREEZE" run --detach "$TAG-a" -- sleep 1000)
pid_b=$("$CGFREEZE" run --detach "$TAG-b" -- sleep 1000)
check "run --detach gives PIDs ($pid_a, $pid_b)" test -n "$pid_a" -a -n "$pid_b"
check "cgjobs.service was started by the tools" systemctl -q is-active cgjobs.service
check "cgjobs.service is delegated to us (Delegate=yes)" \
  test "$(systemctl show -p Delegate --value cgjobs.service)" = yes
check "cgjobs.service survives isolate (IgnoreOnIsolate=yes)" \
  test "$(systemctl show -p IgnoreOnIsolate --value cgjobs.service)" = yes
check "the job's process is in cgjobs.service/jobs ($(cgroup_of "$pid_a"))" \
  test "$(cgroup_of "$pid_a")" = "/system.slice/cgjobs.service/jobs/$TAG-a"
check "nothing at the mount root ($MOUNT/cgjobs)" test ! -e "$MOUNT/cgjobs"
root_json=$("$CGSTAT" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["root"])')
check "cgstat --json shows the root ($root_json)" test "$root_json" = "$ROOT"
"$CGFREEZE" freeze --wait "$TAG-a"
check "job a FROZEN, b THAWED" test "$(state_of "$TAG-a") $(state_of "$TAG-b")" = "FROZEN THAWED"

# -- 2. systemd's own operations leave the jobs alone ---------------------------
systemd-run --quiet --unit="$TAG-other" sleep 1000
untouched() {
  local when=$1 p
  for p in "$pid_a" "$pid_b"; do
    check "$when: PID $p alive" kill -0 "$p"
  done
  check "$when: PIDs still in their jobs" \
    test "$(cgroup_of "$pid_a") $(cgroup_of "$pid_b")" = "/system.slice/cgjobs.service/jobs/$TAG-a /system.slice/cgjobs.service/jobs/$TAG-b"
  check "$when: job a still FROZEN, b THAWED" test "$(state_of "$TAG-a") $(state_of "$TAG-b")" = "FROZEN THAWED"
  check "$when: cgjobs.service active" systemctl -q is-active cgjobs.service
}
systemctl daemon-reload; sleep 1
untouched "daemon-reload"
systemctl restart "$TAG-other.service" systemd-journald.service; sleep 1
untouched "restart of unrelated services"
systemctl isolate multi-user.target; sleep 2
untouched "isolate multi-user.target"

# -- 3. systemd-cgls shows them under the unit --------------------------------
cgls=$(systemd-cgls --no-pager -u cgjobs.service 2>&1)
echo "$cgls" | sed 's/^/  # /'
check "systemd-cgls -u cgjobs.service lists job a, job b and their PIDs" \
  bash -c '[[ $1 == *"$2-a"* && $1 == *"$2-b"* && $1 == *"$3 sleep"* && $1 == *"$4 sleep"* ]]' _ "$cgls" "$TAG" "$pid_a" "$pid_b"

# -- 4. another unit's process is not taken silently ------------------------------
systemd-run --quiet --unit="$TAG-victim" sleep 1000
victim=$(systemctl show -p MainPID --value "$TAG-victim.service")
err=$("$CGFREEZE" add --create "$TAG-victim" "$victim" 2>&1); rc=$?
echo "  # $err"
check "add of $TAG-victim.service's PID is refused with exit 1 (got $rc)" test "$rc" = 1
check "the refusal names the unit" bash -c '[[ $1 == *"$2-victim.service"* ]]' _ "$err" "$TAG"
check "the process stayed in its unit" test "$(cgroup_of "$victim")" = "/system.slice/$TAG-victim.service"
"$CGFREEZE" add --create --steal "$TAG-victim" "$victim"; rc=$?
check "add --steal moves it (exit $rc)" test "$rc" = 0 -a "$(cgroup_of "$victim")" = "/system.slice/cgjobs.service/jobs/$TAG-victim"
sleep 1000 & own=$!
"$CGFREEZE" add "$TAG-b" "$own"; rc=$?
check "add of the caller's own child (same unit) needs no --steal (exit $rc)" test "$rc" = 0
"$CGFREEZE" rm --kill "$TAG-victim" > /dev/null
kill "$own"; wait "$own" 2> /dev/null

# -- 5. rootless in a delegated user scope, no flags -----------------------------
if useradd -m "$TEST_USER" 2> /dev/null; then
  uid=$(id -u "$TEST_USER")
  # Without libpam-systemd (a minimal image) nobody sets XDG_RUNTIME_DIR for
  # the user's manager: give it what pam_systemd would, for this test only.
  if ! ls /lib/*/security/pam_systemd.so /lib/security/pam_systemd.so > /dev/null 2>&1; then
    echo "  # no pam_systemd.so: XDG_RUNTIME_DIR for user@.service from a runtime drop-in"
    mkdir -p "${DROPIN%/*}"
    printf '[Service]\nEnvironment=XDG_RUNTIME_DIR=/run/user/%%i\n' > "$DROPIN"
    systemctl daemon-reload
  fi
  loginctl enable-linger "$TEST_USER" || systemctl start "user-runtime-dir@$uid.service" "user@$uid.service"
  # Lingering starts the user's manager (user@UID.service); without
  # dbus-user-session systemd-run talks to it on its private socket.
  for _ in $(seq 60); do [ -S "/run/user/$uid/systemd/private" ] && break; sleep 1; done
  out=$(runuser -u "$TEST_USER" -- env XDG_RUNTIME_DIR="/run/user/$uid" \
        systemd-run --user --scope --quiet -p Delegate=yes -- bash -c '
          set -e
          p=$("$1" run --detach j -- sleep 1000)
          "$1" freeze --wait j
          "$2" --json j
          "$1" rm --kill j
          echo "pid=$p rootless-done"' _ "$CGFREEZE" "$CGSTAT" 2>&1); rc=$?
  echo "$out" | sed 's/^/  # /'
  check "rootless flow in a Delegate=yes user scope (exit $rc)" \
    bash -c '[[ $1 == *rootless-done* && $1 == *FROZEN* && $1 == *"user@$2.service/"*"/cgjobs"* ]]' _ "$out" "$uid"
else
  fail "cannot create the test user"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
