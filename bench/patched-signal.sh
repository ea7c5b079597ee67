#!/bin/bash
# bench/patched-signal.sh — cgkill with cgroup.signal against its freeze path
# (freeze -> pidfd -> thaw), both on the patched kernel, in one guest run
# (issue 14). See bench/patched/signal_bench.c for what is measured.
#
#   bench/patched-signal.sh [--ns 1000,5000] [--loads sleep,spin,churn]
#                           [--reps 5] [--reps-large 3] [--ops hup,term] [--out FILE]
#
# Builds cgkill (build/, as scripts/vm-test.sh does), the floor programs
# floor-signal, floor-cgroup-signal and signal-bench (static, in build-bench-patched/), finds the
# patched kernel with scripts/kernel-build.sh (cached; 20-60 minutes the
# first time: its cache is KERNEL_BUILD_DIR), boots it in mode v2 with
# scripts/vm-run.sh and writes the report to FILE (default
# bench/results/<date>-patched-v2.md). Must run as root, like vm-run.sh.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
ns=1000,5000 loads=sleep,spin,churn reps=5 reps_large=3 ops=hup,term
out=$here/results/$(date -u +%Y-%m-%d)-patched-v2.md
while [ $# -gt 0 ]; do
  case $1 in
    --ns) ns=$2; shift 2 ;;
    --loads) loads=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --reps-large) reps_large=$2; shift 2 ;;
    --ops) ops=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) sed -n '6,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done

build=${CGJOB_BUILD_DIR:-$repo/build}
bin=$repo/build-bench-patched
"$repo/scripts/build-tools.sh" "$build" cgkill
mkdir -p "$bin"
cc -O2 -Wall -static -o "$bin/floor-signal" "$here/floor/floor_signal.c"
cc -O2 -Wall -static -o "$bin/floor-cgroup-signal" "$here/patched/floor_cgroup_signal.c"
cc -O2 -Wall -static -o "$bin/signal-bench" "$here/patched/signal_bench.c"
kernel=$("$repo/scripts/kernel-build.sh" | tail -1)
accel=$(source "$repo/scripts/vm/lib.sh"; vm_accel)

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date -u '+%Y-%m-%d %H:%M UTC')
t0=$(date +%s)
# The guest's own limits: 5,000 pidfds for the freeze path. A whole run
# takes over an hour on a busy host: the guest may take four.
status=0
table=$(cd "$repo" && CGJOB_VM_TIMEOUT=${CGJOB_VM_TIMEOUT:-14400} "$repo/scripts/vm-run.sh" --kernel "$kernel" --mode v2 -- \
  bash -c 'ulimit -n 65536; echo "guest: $(uname -r), $(nproc) CPUs" >&2; exec "$@"' guest \
  "$bin/signal-bench" "$build/tools/cgkill/cgkill" "$bin/floor-signal" "$bin/floor-cgroup-signal" "$ns" "$loads" "$reps" "$reps_large" "$ops" |
  tee /dev/stderr) || status=$?  # rows as they come
secs=$(( $(date +%s) - t0 ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$(dirname "$out")"
{
  echo "# cgkill with cgroup.signal against the freeze path, patched guest, cgroup v2"
  echo
  echo "- Run: $start, $secs s in all (commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?'))."
  echo "- Kernel: $(basename "$kernel") (Debian's linux-source-6.1 with kernel/patches/linux-6.1), qemu $accel, 2 vCPUs, 2 GiB."
  echo "- Host: $(nproc) cores, load average $load_before before, $load_after after (other builds and guests ran meanwhile)."
  echo "- Command: \`bench/patched-signal.sh --ns $ns --loads $loads --reps $reps --reps-large $reps_large --ops $ops\`"
  echo "  (repetitions: $reps, or $reps_large at N ≥ 5,000)."
  echo
  echo "Every row is one command on the same guest. \"freeze path\" is the same cgkill with"
  echo "\`CGJOB_NO_CGROUP_SIGNAL=1\` (it freezes, signals each process through a pidfd, thaws);"
  echo "the floors are bench/floor/floor_signal.c and bench/patched/floor_cgroup_signal.c. *stall*: the longest time the job's"
  echo "\`cpu.stat\` usage_usec did not advance while the command ran (read every ms);"
  echo "*job CPUs*: the CPU time the job's workers got meanwhile, per wall second (busy workers"
  echo "run under SCHED_IDLE, so they get what the command leaves idle). *faster by*: wall"
  echo "median of the row ÷ that of the cgroup.signal row above it. *late*: how late a"
  echo "SCHED_FIFO task outside the job woke from its 1 ms timer while the command ran, at"
  echo "worst (median of the samples, and their max): what the signalling cost the rest of the"
  echo "machine; the idle figure is above the table. Under TCG, timer wake-ups are coarse."
  echo
  echo "$table"
  if [ "$status" != 0 ]; then
    echo
    echo "**The guest stopped early (status $status): the rows above are all it measured.**"
  fi
} > "$out"
echo "bench/patched-signal.sh: report in $out" >&2
exit "$status"
