#!/usr/bin/env bash
# Runs the project's kernel and CLI tests (rootless included) in guests, one
# per kernel x mode cell, and prints the matrix:
#   scripts/vm-test.sh [--quick] [--kernels "generic rt cloud patched"] [--modes "v1 v2 hybrid systemd"] [--no-build]
# Full: kernels generic, rt, cloud, patched x modes v1, v2, hybrid, systemd.
# --quick (what fits CI): the generic kernel in modes v1, v2 and systemd.
# patched: the image scripts/kernel-build.sh builds (kernel/patches/linux-6.1,
# cgroup.signal; its cache: KERNEL_BUILD_DIR), 20-60 minutes the first time;
# its cells also run the kernel's selftests of cgroup.signal and cgroup.kill
# built beside it (on cgroup v2: modes v2, hybrid, systemd).
# A hybrid cell runs the suites on both hierarchies. The last line is
# "N passed, M failed", counting tests (one test on one hierarchy in one
# cell; a cell whose guest fails to report counts as one failed test).
# Exit status: 0 when nothing failed. Logs: build/vm-test/<kernel>-<mode>.log.
# A cell whose guest kernel locks up (a CPU stuck for a minute: vm-run.sh
# stops it) runs once more; the lock-up is reported, and a second one fails.
# CGJOB_VM_TEST_TIMEOUT: seconds one test may take in a guest (default 1200;
# CTest's 300 is too short for a TCG guest on a busy host). CGJOB_VM_TESTS:
# an extended regex; only the tests whose names match run (e.g. 'kernel|cgkill').
# CGJOB_VM_OMIT_TESTS: an extended regex; the tests whose names match do not.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${CGJOB_BUILD_DIR:-$REPO/build}

kernels="generic rt cloud patched" modes="v1 v2 hybrid systemd" build=1
while [ $# -gt 0 ]; do
  case $1 in
    --quick) kernels=generic modes="v1 v2 systemd"; shift ;;
    --kernels) kernels=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) sed -n '2,5p' "$0" | sed 's/^# //' >&2; exit 2 ;;
  esac
done

# The binaries the guests run are built here (static; the guest is Debian 12
# too). An existing build tree is reused and brought up to date.
# --no-build: use the tree as it is (CI has just built it).
if [ "$build" = 1 ]; then
  "$REPO/scripts/build-tools.sh" "$BUILD" || { echo "vm-test: the build failed" >&2; exit 1; }
fi
BUILD=$(cd "$BUILD" && pwd -P)
share=()
case $BUILD/ in "$REPO"/*) ;; *) share=(--share "$BUILD") ;; esac

logs="$BUILD/vm-test"
mkdir -p "$logs"
declare -A cell_text
total_pass=0 total_fail=0
failures=()
lockups=()
start_all=$(date +%s)

hierarchies_of() {
  case $1 in v1) echo v1 ;; v2|systemd) echo v2 ;; hybrid) echo "v1 v2" ;; esac
}

# --kernel for vm-run.sh: a Debian kernel's name, or the patched image's path.
kernel_image() {
  if [ "$1" = patched ]; then "$REPO/scripts/kernel-build.sh" | tail -1; else echo "$1"; fi
}

# A failed test's output, shown here because CI keeps only what is printed:
# the last 40 lines of its checks, and what the guest's watchdog found it
# stuck in (scripts/vm/guest-tests.sh), if it ran out of time.
show_failed() {
  local cell=$1 name=$2 log=$3
  echo "--- $cell $name failed; the end of its output:"
  awk -v n="$name" '$1 == "@@cgjob-vm-start" { on = ($2 == n); next }
                    $1 == "@@cgjob-vm-result" { on = 0; next }
                    on && $1 !~ /^@@cgjob-vm-hang/ && !hang { print }
                    on && $1 ~ /^@@cgjob-vm-hang/ { hang = 1 }' "$log" | tail -n 40
  awk -v n="$name" '$1 == "@@cgjob-vm-start" { on = ($2 == n); next }
                    $1 == "@@cgjob-vm-result" { on = 0; next }
                    on && $1 ~ /^@@cgjob-vm-hang/ { hang = 1 }
                    on && hang { print }' "$log" | head -n 150
}

# Each test of LOG that reported a failure: listed among the failures of
# CELL (with NOTE after its name) and its output shown.
record_failed() {
  local cell=$1 log=$2 note=${3:-} name
  while read -r _ name _; do
    failures+=("$cell $name$note"); show_failed "$cell" "$name" "$log"
  done < <(grep -a '^@@cgjob-vm-result [^ ]* fail' "$log" || true)
}

# Where a guest stopped before its test ended: what its kernel said of
# hung tasks, lockups, oopses or a panic on the console, from the first.
show_kernel_trouble() {
  local first
  first=$(grep -a -n -m1 -E 'blocked for more than|soft lockup|hard LOCKUP|rcu: INFO|BUG:|Oops|Kernel panic' "$1" |
    cut -d: -f1) || true
  if [ -n "$first" ]; then
    echo "--- the guest kernel's console, from line $first:"
    tail -n +"$first" "$1" | head -n 100
  else
    echo "--- the guest kernel's console reports no hung task, lockup, oops or panic"
  fi
}

for k in $kernels; do
  kimage=$(kernel_image "$k") || kimage=""
  selftests=() selftests_dir=""
  if [ "$k" = patched ] && [ -d "$kimage.selftests" ]; then
    selftests_dir=$(cd "$kimage.selftests" && pwd -P)
    selftests=(--share "$selftests_dir")
  fi
  for m in $modes; do
    attempt=1
    while :; do
      log="$logs/$k-$m.log"
      echo "== cell $k/$m ($(date -u +%H:%M:%S) UTC) ==" >&2
      t0=$(date +%s)
      : > "$log"  # before tail opens it
      # vm-run.sh stops its guest on INT/TERM: pass ours on to it by its PID.
      # shellcheck disable=SC2046  # hierarchies_of: one word per hierarchy
      CGJOB_VM_CONSOLE="$logs/$k-$m.console" "$REPO/scripts/vm-run.sh" --kernel "${kimage:-$k}" --mode "$m" "${share[@]}" "${selftests[@]}" -- \
        env CGJOB_VM_TEST_TIMEOUT="${CGJOB_VM_TEST_TIMEOUT:-1200}" CGJOB_VM_TESTS="${CGJOB_VM_TESTS:-.}" \
        CGJOB_VM_OMIT_TESTS="${CGJOB_VM_OMIT_TESTS:-}" \
        CGJOB_VM_SELFTESTS="$selftests_dir" bash "$REPO/scripts/vm/guest-tests.sh" "$BUILD" $(hierarchies_of "$m") > "$log" 2>&1 &
      run_pid=$!
      trap 'kill -TERM $run_pid 2> /dev/null; wait $run_pid; exit 130' INT TERM
      tail -n +1 -f --pid=$run_pid "$log" | grep -a --line-buffered -E '^(@@cgjob-vm-result|guest:|vm)' |
        sed -u 's/^@@cgjob-vm-result /  /' >&2 || true
      rc=0; wait $run_pid || rc=$?
      trap - INT TERM
      secs=$(( $(date +%s) - t0 ))
      # A guest kernel that locked up (vm-run stops it) is the kernel's fault,
      # not a test's: say so, show it, and run the cell once more. A second
      # lock-up counts as a failure like any guest that stops.
      if [ "$rc" = 125 ] && [ "$attempt" = 1 ] && grep -a -q 'soft lockup' "$logs/$k-$m.console" 2> /dev/null; then
        started=$(grep -a '^@@cgjob-vm-start ' "$log" | tail -n 1 | cut -d' ' -f2)
        echo "--- $k/$m: the guest kernel locked up during ${started:-the boot}; the cell runs once more"
        show_kernel_trouble "$logs/$k-$m.console"
        lockups+=("$k/$m during ${started:-the boot} (the cell was run again)")
        # Tests that failed before it still count.
        record_failed "$k/$m" "$log" " (before the lock-up)"
        total_fail=$((total_fail + $(grep -a -c '^@@cgjob-vm-result [^ ]* fail' "$log" || true)))
        cp "$log" "$logs/$k-$m.lockup.log"
        cp "$logs/$k-$m.console" "$logs/$k-$m.lockup.console"
        attempt=2
        continue
      fi
      break
    done
    p=$(grep -a -c '^@@cgjob-vm-result [^ ]* pass' "$log" || true)
    f=$(grep -a -c '^@@cgjob-vm-result [^ ]* fail' "$log" || true)
    s=$(grep -a -c '^@@cgjob-vm-result [^ ]* skip' "$log" || true)
    record_failed "$k/$m" "$log"
    # A test that started and never reported: the guest died or timed out.
    for name in $(grep -a '^@@cgjob-vm-start ' "$log" | cut -d' ' -f2); do
      grep -a -q "^@@cgjob-vm-result $name " "$log" && continue
      f=$((f + 1)); failures+=("$k/$m $name (no result: the guest stopped)")
      show_failed "$k/$m" "$name" "$log"
      show_kernel_trouble "$logs/$k-$m.console"
    done
    if [ $((p + f + s)) = 0 ] || [ "$rc" = 125 ]; then
      f=$((f + 1)); failures+=("$k/$m guest (vm-run status $rc; see $log and $logs/$k-$m.console)")
    fi
    total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
    cell_text[$k/$m]="$p ok $f fail $s skip ${secs}s"
    versions=$(sed -n -e 's/^guest: \([^,]*\),.*/\1/p' "$log" | head -1)
    [ -n "$versions" ] && cell_text[$k/kver]=$versions
  done
done

echo
echo "VM test matrix ($(date -u +%Y-%m-%d), $(( $(date +%s) - start_all )) s; counts are tests: kernel and CLI suites per hierarchy)"
printf '%-26s' "kernel"
for m in $modes; do printf ' | %-24s' "$m"; done
echo
for k in $kernels; do
  printf '%-26s' "$k ${cell_text[$k/kver]:-}"
  for m in $modes; do printf ' | %-24s' "${cell_text[$k/$m]:--}"; done
  echo
done
for l in "${lockups[@]}"; do echo "GUEST KERNEL LOCKED UP: $l"; done
for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
