#!/bin/sh
# PID 1 of the guest's initramfs (static busybox): loads the modules the
# kernel lacks built in, mounts the root image and the harness's control
# share (/cgjob-vm: the command, the shares, the runner; the exit status goes
# back through it), then hands over to systemd (mode systemd) or to our
# runner as PID 1 (modes v1, v2, hybrid). The mode comes from cgjob.mode= on
# the kernel command line.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The links every host's /dev has (udev or systemd makes them): without
# /dev/fd, bash's process substitution <(...) fails in a guest alone.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr

fail() {
  echo "cgjob-vm init: $*"
  echo "cgjob-vm init: $*" > /dev/ttyS1
  echo o > /proc/sysrq-trigger
  poweroff -f
}

# Already built in (or loaded as a dependency): insmod fails, and that is fine.
for m in $(cat /modules/order); do insmod "/modules/$m" 2>/dev/null; done

mode=$(sed -n 's/.*cgjob\.mode=\([a-z0-9]*\).*/\1/p' /proc/cmdline)

# virtio devices are probed asynchronously.
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mount -t ext4 /dev/vda /newroot || fail "cannot mount the root image /dev/vda"
mkdir -p /newroot/cgjob-vm
if grep -q 'cgjob\.transport=disk' /proc/cmdline; then
  # A kernel without 9p (Debian's cloud kernel): the host packed the control
  # files and the shares into a read-only second disk; the exit status goes
  # back as a last line on the output port.
  i=0
  while [ ! -b /dev/vdb ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  mkdir -p /newroot/cgjob-disk
  mount -t ext4 -o ro /dev/vdb /newroot/cgjob-disk || fail "cannot mount the share disk /dev/vdb"
  mount -t tmpfs -o mode=755 cgjob-vm /newroot/cgjob-vm
  cp /newroot/cgjob-disk/ctl/* /newroot/cgjob-vm/
else
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 cgjobctl /newroot/cgjob-vm ||
    fail "cannot mount the control share (9p)"
fi

# The modules we loaded, where modprobe in the guest looks for them.
kver=$(uname -r)
if [ -s /modules/order ]; then
  mkdir -p "/newroot/lib/modules/$kver/extra"
  cp /modules/*.ko "/newroot/lib/modules/$kver/extra/" 2>/dev/null
fi

for d in dev proc sys; do mount --move "/$d" "/newroot/$d"; done

if [ "$mode" = systemd ]; then
  # The unit that runs the command once the system is up. It is ours, not
  # part of Debian's system: no Delegate=, nothing else changed.
  cat > /newroot/etc/systemd/system/cgjob-vm.service <<'EOF'
[Unit]
Description=cgjob VM harness: the host's command

[Service]
Type=simple
ExecStart=/bin/bash /cgjob-vm/runner.sh
StandardInput=null
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
EOF
  mkdir -p /newroot/etc/systemd/system/multi-user.target.wants
  ln -sf ../cgjob-vm.service /newroot/etc/systemd/system/multi-user.target.wants/cgjob-vm.service
  exec switch_root /newroot /sbin/init
fi
exec switch_root /newroot /bin/bash /cgjob-vm/runner.sh
