#!/usr/bin/env bash
# Boots a fresh guest under qemu and runs a command in it as root:
#   scripts/vm-run.sh [--kernel generic|rt|cloud|PATH] [--mode v2|v1|hybrid|systemd]
#                     [--share DIR]... -- COMMAND [ARG...]
# COMMAND runs in the current directory, which must lie in the checkout or a
# --share DIR: both are visible in the guest at the same paths (9p, read-only);
# /tmp is writable. The tools built in build/ ($CGJOB_BUILD_DIR if set) come
# first in its PATH. Its stdout and stderr are streamed to ours and its exit
# status is ours; 125 means the harness itself failed (no status came back).
# Modes: v2 (only cgroup2, at /sys/fs/cgroup), v1 (only v1 hierarchies, at
# /sys/fs/cgroup/<controller>), hybrid (both, cgroup2 at /sys/fs/cgroup/unified),
# systemd (Debian 12 booted with systemd as PID 1, as shipped: pure v2).
# Environment: CGJOB_VM_CACHE (cache dir), CGJOB_VM_ACCEL (kvm|tcg, else
# probed), CGJOB_VM_TIMEOUT (seconds, default 3600), CGJOB_VM_MODULES (the
# lib/modules/<version> tree of a --kernel PATH with modular drivers),
# CGJOB_VM_CONSOLE (a file to keep the guest's console log in).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$REPO/scripts/vm/lib.sh"

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
kernel=generic mode=v2 shares=("$REPO")
while [ $# -gt 0 ]; do
  case $1 in
    --kernel) [ $# -ge 2 ] || usage; kernel=$2; shift 2 ;;
    --mode) [ $# -ge 2 ] || usage; mode=$2; shift 2 ;;
    --share) [ $# -ge 2 ] || usage; [ -d "$2" ] || vm_die "--share: not a directory: $2"
             shares+=("$(cd "$2" && pwd -P)"); shift 2 ;;
    --) shift; break ;;
    -h|--help) usage ;;
    *) usage ;;
  esac
done
[ $# -gt 0 ] || usage
case $mode in v1|v2|hybrid|systemd) ;; *) echo "vm-run: unknown mode '$mode'" >&2; exit 2 ;; esac

# Install what is missing (Debian's packages, as root).
for c in qemu-system-x86_64 mmdebstrap mke2fs cpio depmod /bin/busybox; do
  command -v "$c" > /dev/null || { "$REPO/scripts/install-deps.sh" vm >&2; break; }
done

image=$(vm_image)
vm_kernel "$kernel"
initrd=$(vm_initrd)
accel=$(vm_accel)

work=$(mktemp -d "${TMPDIR:-/tmp}/cgjob-vm.XXXXXX")
qemu_pid=
tail_pid=
err_tail_pid=
cleanup() {
  # Never leave a guest running: stop qemu by its PID on every path.
  [ -n "$qemu_pid" ] && kill "$qemu_pid" 2> /dev/null && wait "$qemu_pid" 2> /dev/null
  [ -n "$tail_pid" ] && kill "$tail_pid" 2> /dev/null
  [ -n "$err_tail_pid" ] && kill "$err_tail_pid" 2> /dev/null
  if [ -n "${CGJOB_VM_CONSOLE:-}" ] && [ -f "$work/console.log" ]; then cp "$work/console.log" "$CGJOB_VM_CONSOLE"; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$work/ctl"
cp "$VM_DIR/runner.sh" "$work/ctl/runner.sh"
# The tools, by name: cgfreeze, cgkill and cgstat of the build tree. A
# fresh clone has none yet: build them (static, a few minutes), so that
# "vm-run.sh -- cgfreeze ..." works as the first command. An existing tree
# is used as it is: a guest of scripts/vm-test.sh may be reading it.
build=${CGJOB_BUILD_DIR:-$REPO/build}
if [ ! -x "$build/tools/cgfreeze/cgfreeze" ] && [ -z "${CGJOB_BUILD_DIR:-}" ]; then
  vm_log "building the tools in $build"
  "$REPO/scripts/build-tools.sh" "$build" cgfreeze cgkill cgstat || vm_die "building the tools failed"
fi
tool_dirs=
for t in cgfreeze cgkill cgstat; do
  [ -x "$build/tools/$t/$t" ] && tool_dirs=$tool_dirs${tool_dirs:+:}$(cd "$build/tools/$t" && pwd -P)
done
if [ -n "$tool_dirs" ]; then
  build=$(cd "$build" && pwd -P)
  shared=0
  for s in "${shares[@]}"; do case $build/ in "$s"/*) shared=1 ;; esac; done
  [ "$shared" = 1 ] || shares+=("$build")
  printf '%s\n' "$tool_dirs" > "$work/ctl/path"
fi
printf '%q ' "$@" > "$work/ctl/cmd"
pwd -P > "$work/ctl/cwd"
share_args=()
: > "$work/ctl/shares"
for i in "${!shares[@]}"; do
  printf 'share%d %s\n' "$i" "${shares[$i]}" >> "$work/ctl/shares"
done
transport=$(vm_transport)
if [ "$transport" = 9p ]; then
  share_args+=(-virtfs "local,path=$work/ctl,mount_tag=cgjobctl,security_model=none")
  for i in "${!shares[@]}"; do
    share_args+=(-virtfs "local,path=${shares[$i]},mount_tag=share$i,security_model=none,readonly=on")
  done
else
  # No 9p in this kernel: a read-only disk holding the control files and a
  # copy of every share (hard links where the filesystem allows).
  mkdir -p "$work/disk"
  cp -a "$work/ctl" "$work/disk/ctl"
  for i in "${!shares[@]}"; do
    cp -al "${shares[$i]}" "$work/disk/share$i" 2> /dev/null || cp -a "${shares[$i]}" "$work/disk/share$i"
  done
  size=$(( $(du -sm "$work/disk" | cut -f1) * 5 / 4 + 64 ))
  mke2fs -q -t ext4 -d "$work/disk" -F "$work/share.ext4" "${size}M" > /dev/null 2>&1 || vm_die "cannot make the share disk"
  rm -rf "$work/disk"
  share_args+=(-drive "file=$work/share.ext4,format=raw,if=virtio,readonly=on")
fi
: > "$work/out"
: > "$work/err"

# no_timer_check: a slow or busy TCG host can miss the kernel's early check
# that timer interrupts arrive, and it panics ("IO-APIC + timer doesn't work").
if [ "$accel" = kvm ]; then cpu=(-accel kvm -cpu host); else cpu=(-accel tcg -cpu max); fi
qemu-system-x86_64 "${cpu[@]}" -m 2G -smp 2 -nographic -no-reboot \
  -kernel "$KERNEL_IMAGE" -initrd "$initrd" \
  -append "console=ttyS0 panic=-1 no_timer_check cgjob.mode=$mode cgjob.transport=$transport" \
  -drive "file=$image,format=raw,if=virtio,snapshot=on" \
  "${share_args[@]}" \
  -serial "file:$work/console.log" -serial "file:$work/out" -serial "file:$work/err" \
  -monitor none -nic none < /dev/null > "$work/qemu.log" 2>&1 &
qemu_pid=$!

tail -n +1 -f --pid="$qemu_pid" "$work/out" | grep -a -v --line-buffered '^@@cgjob-vm-exit ' &
tail_pid=$!
tail -n +1 -f --pid="$qemu_pid" "$work/err" >&2 &
err_tail_pid=$!

# A guest kernel that reports a CPU stuck for a minute or more (soft
# lockup) does not recover: it is stopped then, not at the timeout
# (seen: Debian's 6.1 under TCG, both CPUs spinning in get_signal on v1).
locked_up() {
  grep -a -o -E 'soft lockup - CPU#[0-9]+ stuck for [0-9]+s' "$work/console.log" 2> /dev/null |
    awk '{ sub(/s$/, "", $NF); if ($NF + 0 >= 60) found = 1 } END { exit !found }'
}
timeout=${CGJOB_VM_TIMEOUT:-3600}
deadline=$(( $(date +%s) + timeout ))
polls=0
while kill -0 "$qemu_pid" 2> /dev/null; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "vm-run: the guest ran longer than $timeout s; stopping it" >&2
    kill "$qemu_pid"
    break
  fi
  if [ $((++polls % 20)) = 0 ] && locked_up; then
    echo "vm-run: the guest kernel locked up (a CPU stuck for 60 s or more); stopping it" >&2
    kill "$qemu_pid"
    break
  fi
  sleep 0.5
done
wait "$qemu_pid" 2> /dev/null || true
qemu_pid=
wait "$tail_pid" 2> /dev/null || true
wait "$err_tail_pid" 2> /dev/null || true
tail_pid= err_tail_pid=

if [ "$transport" = disk ]; then
  sed -n 's/^@@cgjob-vm-exit \([0-9]*\).*/\1/p' "$work/out" | tail -n 1 > "$work/ctl/status"
fi
if [ ! -s "$work/ctl/status" ]; then
  echo "vm-run: no exit status came back from the guest (kernel $KERNEL_VERSION, mode $mode); last console lines:" >&2
  tail -n 25 "$work/console.log" >&2 || true
  tail -n 5 "$work/qemu.log" >&2 || true
  exit 125
fi
exit "$(cat "$work/ctl/status")"
