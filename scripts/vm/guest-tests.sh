#!/bin/bash
# Runs inside a guest (through scripts/vm-run.sh, from scripts/vm-test.sh):
# the project's kernel tests and CLI tests, as CTest runs them
# (tests/kernel/CMakeLists.txt, tests/cli/CMakeLists.txt), once per
# hierarchy given, and tests/vm/systemd.sh where systemd is PID 1.
# usage: guest-tests.sh BUILD_DIR HIERARCHY...
# Each test's output streams as it runs; then one line
#   @@cgjob-vm-result NAME pass|fail|skip STATUS SECONDS
# which vm-test.sh counts. Exit status 77 is a skip, as in CTest.
set -u
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$1; shift
cd /tmp || exit 1
echo "guest: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs; cgroup mounts:"
grep -E ' - cgroup2? ' /proc/self/mountinfo | cut -d' ' -f5,9- | sed 's/^/  /'

# Why: under TCG (qemu 7.2, Debian 6.1 guest), a v1 guest locked up with both
# CPUs looping on a stale int3 at freezing()'s jump-label site in
# get_signal(): the kernel re-patches every such site each time the first
# v1 cgroup starts or the last one stops freezing (the freezer_active static
# key), and the emulator kept running the breakpoint after it was gone
# (kprobe_int3_handler backs up over a missing int3, forever). In CI once,
# here once in about 40 runs of cli-cgfreeze-v1; freezing and thawing an
# empty cgroup in a loop wedged 2 of 2 guests within 2,500 flips. With one
# empty cgroup kept frozen the key never flips: 2 of 2 guests made 55,000
# flips without it, each 25 times cheaper. The tests then see the same
# freezer, minus the emulator's fault.
# docs/DEVELOPMENT.md, Other kernels and hosts.
source "$src/tests/support/mounts.sh"  # tool_mount CGSTAT HIER
freezer_mount=$(tool_mount "$build/tools/cgstat/cgstat" v1)
if [ -n "$freezer_mount" ]; then
  mkdir -p "$freezer_mount/cgjob-vm-freezer-active" &&
    echo FROZEN > "$freezer_mount/cgjob-vm-freezer-active/freezer.state" &&
    echo "guest: $freezer_mount/cgjob-vm-freezer-active is kept FROZEN (empty): freezer_active never flips"
fi

# Bounds on the tests' waits scale with this (a TCG guest is 7-40 times
# slower than the host); what they assert does not.
export CGJOB_TEST_TIME_SCALE=${CGJOB_TEST_TIME_SCALE:-10}
# What a test that runs out of time was doing, shown before it is ended
# (CI keeps only the output): every process but kernel threads, with where
# it sleeps, the test jobs' freeze states, the tools' kernel stacks, and
# the kernel's list of tasks blocked uninterruptibly (sysrq w; written by
# a builtin first, which needs no fork should forks be what hangs).
show_hang() {
  echo w > /proc/sysrq-trigger 2> /dev/null
  echo "@@cgjob-vm-hang $1: still running after $2 s; processes:"
  ps -eo pid,ppid,stat,wchan:28,etimes,args --sort=pid | awk '$NF !~ /^\[.*\]$/' | cut -c1-200
  echo "@@cgjob-vm-hang test jobs (freezer.state or cgroup.events/cgroup.freeze, processes):"
  find /sys/fs/cgroup -path '*cgjobs-test*' \( -name freezer.state -o -name cgroup.events \) 2>/dev/null |
    while read -r f; do
      d=${f%/*}
      if [ "${f##*/}" = freezer.state ]; then state=$(cat "$f")
      else state="$(tr '\n' ' ' < "$f")freeze $(cat "$d/cgroup.freeze")"; fi
      echo "  $d: $state; procs $(tr '\n' ' ' < "$d/cgroup.procs")"
    done 2>/dev/null
  for pid in $(pgrep -x cgfreeze; pgrep -x cgkill; pgrep -x cgstat); do
    echo "@@cgjob-vm-hang $pid: $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)"
    sed 's/^/  /' "/proc/$pid/stack" 2>/dev/null | head -12
  done
  echo "@@cgjob-vm-hang blocked tasks (sysrq w):"
  dmesg | sed -n '/sysrq: Show Blocked State/,$p' | tail -n 120
}

# CGJOB_VM_TESTS: an extended regex; only the tests whose names match run.
# CGJOB_VM_OMIT_TESTS: an extended regex; the tests whose names match do not
# (tests of the tools' own limits, which no kernel changes: .ci/run).
run() {
  local name=$1; shift
  [[ $name =~ ${CGJOB_VM_TESTS:-.} ]] || return 0
  [ -n "${CGJOB_VM_OMIT_TESTS:-}" ] && [[ $name =~ $CGJOB_VM_OMIT_TESTS ]] && return 0
  local start end rc result watchdog limit=${CGJOB_VM_TEST_TIMEOUT:-1200}
  echo "@@cgjob-vm-start $name"
  start=$(date +%s.%N)
  # CTest gives each 300 s; a TCG guest on a busy host can need more. The
  # watchdog shows what a test is stuck in 10 s before timeout ends it.
  ( trap 'kill "$nap" 2> /dev/null; exit 0' TERM
    sleep "$((limit - 10))" & nap=$!
    wait "$nap" && show_hang "$name" "$((limit - 10))" ) &
  watchdog=$!
  timeout --kill-after=10 "$limit" "$@"
  rc=$?
  kill "$watchdog" 2> /dev/null; wait "$watchdog" 2> /dev/null
  end=$(date +%s.%N)
  case $rc in 0) result=pass ;; 77) result=skip ;; *) result=fail ;; esac
  echo "@@cgjob-vm-result $name $result $rc $(awk "BEGIN { printf \"%.1f\", $end - $start }")"
}

for h in "$@"; do
  run "kernel-$h" env CGJOB_TEST_HIERARCHY="$h" "$build/tests/kernel/cgjob_kernel_tests" --warn NoTests --use-colour no
  for script in "$src"/tests/cli/*.sh; do
    name=$(basename "$script" .sh)
    [ "$name" = lib ] && continue
    run "cli-$name-$h" env CGJOB_TEST_HIERARCHY="$h" CGJOB_BIN="$build/tools" bash "$script"
  done
  # Checkpoint and restore with the real CRIU (the guest image has it;
  # `criu check` fails on the host's 6.18 kernel).
  run "vm-checkpoint-$h" env CGJOB_TEST_HIERARCHY="$h" CGJOB_BIN="$build/tools" bash "$src/tests/vm/checkpoint.sh"
  run "vm-checkpoint-workloads-$h" env CGJOB_TEST_HIERARCHY="$h" CGJOB_BIN="$build/tools" \
    bash "$src/tests/vm/checkpoint_workloads.sh"
done

# The kernel's own selftests of cgroup.signal and cgroup.kill, where
# vm-test.sh gives them (the patched kernel) and cgroup v2 is mounted.
# kselftest's exit status 4 is a skip.
if [ -n "${CGJOB_VM_SELFTESTS:-}" ] && [ -n "$(tool_mount "$build/tools/cgstat/cgstat" v2)" ]; then
  for t in "$CGJOB_VM_SELFTESTS"/test_*; do
    run "kselftest-$(basename "$t")" bash -c '"$1"; rc=$?; [ "$rc" = 4 ] && exit 77; exit "$rc"' kselftest "$t"
  done
fi

# Where systemd is PID 1 (mode systemd), its etiquette too.
if [ -d /run/systemd/system ]; then
  run vm-systemd bash "$src/tests/vm/systemd.sh" "$build"
fi

if [ -n "$freezer_mount" ]; then
  echo THAWED > "$freezer_mount/cgjob-vm-freezer-active/freezer.state" 2> /dev/null
  rmdir "$freezer_mount/cgjob-vm-freezer-active" 2> /dev/null
fi
