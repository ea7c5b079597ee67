#!/bin/bash
# Runs the host's command inside the guest, then powers the guest off.
# Modes v1, v2, hybrid: this is PID 1 and sets the system up itself (the
# cgroup hierarchies as the mode asks). Mode systemd: a service of systemd,
# started once the boot is finished. Input from the control share /cgjob-vm
# (written by scripts/vm-run.sh; a copy from the share disk /cgjob-disk on
# kernels without 9p): cmd (a bash command line), cwd, shares ("tag path"
# lines), path (the tools' directories, put first in PATH). Output: the
# command's stdout on the second serial port and its stderr on the third
# (ttyS1, ttyS2: no getty touches them), its exit status in /cgjob-vm/status.
CTL=/cgjob-vm
OUT=/dev/ttyS1
ERR=/dev/ttyS2
mode=$(sed -n 's/.*cgjob\.mode=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8

power_off() {
  sync
  if [ $$ = 1 ]; then echo o > /proc/sysrq-trigger; else systemctl poweroff --force --force > /dev/null 2>&1; fi
  exec 2> /dev/null; sleep 30; exit 1
}

# The v1 hierarchies this project's development host mounts.
V1_CONTROLLERS="cpu cpuacct cpuset memory devices freezer blkio pids"
mount_v1() {
  mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
  local c
  for c in $V1_CONTROLLERS; do
    mkdir -p "/sys/fs/cgroup/$c"
    mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c" || echo "cgjob-vm: cannot mount the v1 $c hierarchy"
  done
  mkdir -p /sys/fs/cgroup/systemd
  mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
}

if [ $$ = 1 ]; then
  mountpoint -q /proc || mount -t proc proc /proc
  mountpoint -q /sys || mount -t sysfs sysfs /sys
  mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
  mkdir -p /dev/pts /dev/shm
  mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
  mount -t tmpfs -o mode=1777 tmpfs /dev/shm
  mount -t tmpfs -o mode=1777 tmpfs /tmp
  mount -t tmpfs -o mode=755 tmpfs /run
  mount -o remount,rw /
  hostname cgjob-vm
  ip link set lo up 2>/dev/null
  case $mode in
    v2) mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup ;;
    v1) mount_v1 ;;
    hybrid) mount_v1; mkdir -p /sys/fs/cgroup/unified; mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified ;;
    *) echo "cgjob-vm: unknown mode '$mode'" > $ERR; power_off ;;
  esac
else
  # Let the boot finish first (our unit is part of it: Type=simple).
  systemctl is-system-running --wait > /dev/null
fi

stty -F $OUT raw -echo 2>/dev/null
stty -F $ERR raw -echo 2>/dev/null
exec > $OUT 2> $ERR < /dev/null

# cache=loose: the shares are read-only and the guest lives for one command;
# without a page cache every exec of a 24 MB static tool reads it over 9p
# again (20 runs of cgstat: 19 s against 1.5 s under TCG).
while read -r tag path; do
  mkdir -p "$path"
  if [ -d "/cgjob-disk/$tag" ]; then
    mount --bind "/cgjob-disk/$tag" "$path"
  else
    mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=524288 "$tag" "$path"
  fi || echo "cgjob-vm: cannot mount the share $path"
done < $CTL/shares

[ -s $CTL/path ] && PATH=$(cat $CTL/path):$PATH
cd "$(cat $CTL/cwd)" || echo "cgjob-vm: cannot cd to $(cat $CTL/cwd)"
bash -c "$(cat $CTL/cmd)"
status=$?
echo "$status" > $CTL/status.new && mv $CTL/status.new $CTL/status
# Without a share to write to, the status travels as a last line.
[ -d /cgjob-disk ] && printf '\n@@cgjob-vm-exit %d\n' "$status"
power_off
