# cgfreeze checkpoint and restore: what holds on any machine, whether or
# not CRIU can run on its kernel. Bad input (exit 2), refusals before
# anything is touched (a job that is not one process tree, an empty job,
# no criu, a failing `criu check`: exit 1, job and cgroups unchanged), and
# a dump that fails half-way (a stand-in criu in PATH: its check passes, its
# dump writes into DIR and fails) leaving the job exactly as it was. Where
# the real `criu check` passes, one real dump and restore too; the real
# workloads run in the guests (tests/vm/checkpoint.sh).
source "$(dirname "$0")/lib.sh"
setup
use_tmpdir checkpoint

"$CGFREEZE" create a >/dev/null || exit 1
has_child() { test -n "$(children_of "$1")"; }

# --- bad input: exit 2 -------------------------------------------------------------
mkdir -p "$TMPD/full" && touch "$TMPD/full/x"
check "checkpoint into a non-empty DIR is bad input" 2 "$CGFREEZE" checkpoint a "$TMPD/full"
check "checkpoint --leave with a bad word is bad input" 2 "$CGFREEZE" checkpoint --leave sleeping a "$TMPD/d0"
check "checkpoint --timeout with a bad duration is bad input" 2 "$CGFREEZE" checkpoint --timeout soon a "$TMPD/d0"
expect "no DIR made for bad input" test ! -e "$TMPD/d0"
mkdir -p "$TMPD/empty"
check "restore from a DIR without a manifest is bad input" 2 "$CGFREEZE" restore r1 "$TMPD/empty"
expect "the message says there is no manifest" grep -q 'no manifest' <<<"$ERR"
write_manifest() {  # DIR VERSION [EXTRA-JSON-FIELD]
  mkdir -p "$1"
  cat > "$1/cgjob.json" <<JSON
{ "format": "cgjob-checkpoint", "version": $2, "name": "a", "hierarchy": "$HIER",
  "path": "$ROOT/a", "state": "THAWED", "root_pid": 4000000, "kernel": "x", "criu_version": "3.17.1",
  "jobs": [ { "relative": "", "self_freezing": false, "pids": [4000000] }${3:-} ] }
JSON
}
write_manifest "$TMPD/v2" 2
check "restore refuses another manifest version" 2 "$CGFREEZE" restore r1 "$TMPD/v2"
expect "the message names the version" grep -q 'version 2' <<<"$ERR"
mkdir -p "$TMPD/broken" && echo '{ "format": "cgjob-checkpoint", "version": 1, ' > "$TMPD/broken/cgjob.json"
check "restore refuses a truncated manifest" 2 "$CGFREEZE" restore r1 "$TMPD/broken"
mkdir -p "$TMPD/nokey" && echo '{ "format": "cgjob-checkpoint", "version": 1 }' > "$TMPD/nokey/cgjob.json"
check "restore refuses a manifest with a key missing" 2 "$CGFREEZE" restore r1 "$TMPD/nokey"
write_manifest "$TMPD/dotdot" 1 ', { "relative": "../escape", "self_freezing": false, "pids": [] }'
check "restore refuses a sub-job path that leaves the job" 2 "$CGFREEZE" restore r1 "$TMPD/dotdot"
write_manifest "$TMPD/twice" 1 ', { "relative": "s", "self_freezing": false, "pids": [4000000] }'
check "restore refuses a PID listed twice" 2 "$CGFREEZE" restore r1 "$TMPD/twice"
expect "no cgroup made by refused restores" test ! -e "$ROOT/r1"

# --- refusals before anything is touched: exit 1 ---------------------------------
check "checkpoint of an empty job is refused" 1 "$CGFREEZE" checkpoint a "$TMPD/d1"
expect "empty: the reason" grep -q 'empty' <<<"$ERR"
expect "empty: no DIR made" test ! -e "$TMPD/d1"

run_in two sleep 600; P1=$PID
run_in two sleep 600; P2=$PID
check "checkpoint of a job that is two process trees is refused" 1 "$CGFREEZE" checkpoint two "$TMPD/d2"
expect "two trees: both roots named" grep -q "root $P1" <<<"$ERR"
expect "two trees: ... both" grep -q "root $P2" <<<"$ERR"
expect "two trees: no DIR made" test ! -e "$TMPD/d2"
expect "two trees: the job still runs both" test "$(nprocs two)" = 2
expect "two trees: the job is not frozen" state_is two THAWED
expect "two trees: no freeze request left" eval '! self_requested two'

# One tree: a shell and its child, in a job and a sub-job.
run_in one bash -c 'sleep 600 & wait'; ROOTPID=$PID
eventually has_procs one 1
eventually has_child "$ROOTPID"
CHILD=$(children_of "$ROOTPID")
"$CGFREEZE" add --create one/sub "$CHILD" || fail "move the child to one/sub"

# No criu in PATH.
check "checkpoint without criu is refused" 1 env PATH=/nonexistent "$CGFREEZE" checkpoint one "$TMPD/d3"
expect "no criu: one line saying so" test "$(wc -l <<<"$ERR")" = 1 -a -n "$(grep 'criu is not installed' <<<"$ERR")"
expect "no criu: no DIR made" test ! -e "$TMPD/d3"
expect "no criu: job still running, not frozen" state_is one THAWED
write_manifest "$TMPD/ok" 1
check "restore without criu is refused" 1 env PATH=/nonexistent "$CGFREEZE" restore r2 "$TMPD/ok"
expect "restore without criu: no cgroup made" test ! -e "$ROOT/r2"

# A criu whose check fails (as Debian 12's 3.17 does on a 6.18 kernel).
mkdir -p "$TMPD/failcheck"
cat > "$TMPD/failcheck/criu" <<'SH'
#!/bin/sh
case $1 in
  --version) echo "Version: 3.17.1" ;;
  check) echo "Error (criu/util.c:642): exited, status=1" >&2
         echo "Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds" >&2; exit 1 ;;
  *) echo "stand-in criu must not $1" >&2; touch "$(dirname "$0")/was-run"; exit 1 ;;
esac
SH
chmod +x "$TMPD/failcheck/criu"
check "checkpoint where criu check fails is refused" 1 env PATH="$TMPD/failcheck:$PATH" "$CGFREEZE" checkpoint one "$TMPD/d4"
expect "check fails: one line with CRIU's reason" \
  test "$(wc -l <<<"$ERR")" = 1 -a -n "$(grep 'criu check fails on this kernel: vdso: Unexpected rt vDSO area bounds' <<<"$ERR")"
expect "check fails: nothing but the check ran" test ! -e "$TMPD/failcheck/was-run"
expect "check fails: no DIR made" test ! -e "$TMPD/d4"
expect "check fails: job still running, not frozen" state_is one THAWED
check "restore where criu check fails is refused" 1 env PATH="$TMPD/failcheck:$PATH" "$CGFREEZE" restore r3 "$TMPD/ok"
expect "restore, check fails: no cgroup made" test ! -e "$ROOT/r3"

# --- a dump that fails half-way changes nothing -------------------------------------
# The stand-in's check passes (its check of nftables locking too, unless
# the file no-nft is there); its dump records its arguments and the freeze
# state it finds, writes an image into DIR, and fails.
mkdir -p "$TMPD/faildump"
cat > "$TMPD/faildump/criu" <<SH
#!/bin/bash
case \$1 in
  --version) echo "Version: 3.17.1" ;;
  check) [ "\$*" = "check --feature network_lock_nftables" ] && [ -e "$TMPD/faildump/no-nft" ] && exit 1
         echo "Looks good." ;;
  dump) printf '%s\n' "\$@" > "$TMPD/faildump/args"
        cat "$ROOT/one/$(freezer_file)" > "$TMPD/faildump/state"
        d=; while [ \$# -gt 0 ]; do [ "\$1" = --images-dir ] && d=\$2; shift; done
        echo partial > "\$d/pages-1.img"
        echo "Error (criu/parasite-syscall.c:1): Can't dump half of it" >> "\$d/dump.log"; exit 1 ;;
  *) exit 1 ;;
esac
SH
chmod +x "$TMPD/faildump/criu"
for start in running frozen; do
  if [ "$start" = frozen ]; then "$CGFREEZE" freeze --wait one || fail "freeze one"; fi
  check "a dump that fails half-way ($start job): exit 1" 1 env PATH="$TMPD/faildump:$PATH" "$CGFREEZE" checkpoint one "$TMPD/d5"
  expect "failed dump ($start): CRIU's reason in the message" grep -q "Can't dump half of it" <<<"$ERR"
  expect "failed dump ($start): DIR removed" test ! -e "$TMPD/d5"
  expect "failed dump ($start): criu ran on the frozen job" grep -Eqx '1|FROZEN' "$TMPD/faildump/state"
  expect "failed dump ($start): criu got -t ROOT and --freeze-cgroup JOB" \
    eval "grep -A1 -x -- --tree '$TMPD/faildump/args' | grep -qx $ROOTPID && grep -A1 -x -- --freeze-cgroup '$TMPD/faildump/args' | grep -qx '$ROOT/one'"
  expect "failed dump ($start): criu got --tcp-established, locking with nftables (its check passes)" \
    eval "grep -qx -- --tcp-established '$TMPD/faildump/args' && grep -A1 -x -- --network-lock '$TMPD/faildump/args' | grep -qx nftables"
  expect "failed dump ($start): every process still there" test "$(nprocs one)/$(nprocs one/sub)" = 1/1
  if [ "$start" = running ]; then
    expect "failed dump (running): the job is THAWED again" state_is one THAWED
    expect "failed dump (running): no freeze request left" eval '! self_requested one'
  else
    expect "failed dump (frozen): the job is still FROZEN" state_is one FROZEN
    expect "failed dump (frozen): its request stands" self_requested one
  fi
  rm -f "$TMPD/faildump/args" "$TMPD/faildump/state"
done
"$CGFREEZE" thaw --wait one >/dev/null || fail "thaw one"
# A criu whose nftables locking cannot work here gets CRIU's default.
touch "$TMPD/faildump/no-nft"
check "a failed dump where nftables locking cannot work: exit 1" 1 env PATH="$TMPD/faildump:$PATH" "$CGFREEZE" checkpoint one "$TMPD/d5"
expect "without nftables locking: no --network-lock (CRIU's iptables)" \
  eval "grep -qx -- --tcp-established '$TMPD/faildump/args' && ! grep -qx -- --network-lock '$TMPD/faildump/args'"
rm -f "$TMPD/faildump/no-nft" "$TMPD/faildump/args" "$TMPD/faildump/state"
# An existing empty DIR is kept (emptied), not removed.
mkdir -p "$TMPD/d6"
check "a failed dump into an existing empty DIR: exit 1" 1 env PATH="$TMPD/faildump:$PATH" "$CGFREEZE" checkpoint one "$TMPD/d6"
expect "the existing DIR stays, empty" eval 'test -d "$TMPD/d6" && test -z "$(ls -A "$TMPD/d6")"'

# --- a criu that hangs is killed at --timeout -------------------------------------
mkdir -p "$TMPD/hangdump"
cat > "$TMPD/hangdump/criu" <<SH
#!/bin/bash
case \$1 in
  --version) echo "Version: 3.17.1" ;;
  check) echo "Looks good." ;;
  dump) echo \$\$ > "$TMPD/hangdump/pid"; exec sleep 300 ;;
  *) exit 1 ;;
esac
SH
chmod +x "$TMPD/hangdump/criu"
check "a dump that hangs: exit 124 at --timeout" 124 env PATH="$TMPD/hangdump:$PATH" "$CGFREEZE" checkpoint --timeout 2s one "$TMPD/d8"
expect "hung dump: DIR removed" test ! -e "$TMPD/d8"
expect "hung dump: the hung criu was killed" eval '! kill -0 "$(cat "$TMPD/hangdump/pid")" 2>/dev/null'
expect "hung dump: every process still there" test "$(nprocs one)/$(nprocs one/sub)" = 1/1
expect "hung dump: the job is THAWED again" state_is one THAWED
expect "hung dump: no freeze request left" eval '! self_requested one'

# --- the real criu ----------------------------------------------------------------
if command -v criu >/dev/null && criu check >/dev/null 2>&1; then
  check "checkpoint with CRIU (--leave killed)" 0 "$CGFREEZE" checkpoint --leave killed one "$TMPD/real"
  expect "the job is empty after --leave killed" eventually test "$(nprocs one)$(nprocs one/sub)" = 00
  expect "the manifest is there" test -s "$TMPD/real/cgjob.json"
  check "restore with CRIU" 0 "$CGFREEZE" restore --detach one "$TMPD/real"
  expect "the root is back in the job" eval "procs_of one | grep -qx $ROOTPID"
  expect "the child is back in the sub-job" eval "procs_of one/sub | grep -qx $CHILD"
  check "restore into a job with processes is refused" 1 "$CGFREEZE" restore one "$TMPD/real"
  check "--version -v says checkpoint works here" 0 "$CGFREEZE" --version -v
  expect "--version -v: checkpoint: yes" grep -q '^checkpoint: yes' <<<"$OUT"
elif command -v criu >/dev/null; then
  check "--version -v says checkpoint cannot work here" 0 "$CGFREEZE" --version -v
  expect "--version -v: checkpoint: no, and why" grep -q '^checkpoint: no (criu check fails' <<<"$OUT"
  check "checkpoint where the real criu check fails is refused" 1 "$CGFREEZE" checkpoint one "$TMPD/d7"
  expect "real criu: one line saying why" test "$(wc -l <<<"$ERR")" = 1 -a -n "$(grep 'criu check fails' <<<"$ERR")"
  expect "real criu: no DIR, job as it was" eval 'test ! -e "$TMPD/d7" && state_is one THAWED && test "$(nprocs one)" = 1'
else
  check "checkpoint without criu installed is refused" 1 "$CGFREEZE" checkpoint one "$TMPD/d7"
fi
