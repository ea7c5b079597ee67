# shellcheck shell=bash
# Host side of the VM harness, sourced by scripts/vm-run.sh: the cache of
# guest root filesystem images, kernels and initramfs images. Everything is
# built from Debian's packages on this machine and kept under $VM_CACHE;
# each artefact's name carries a hash of its inputs, so a changed input
# makes a new one and a stale one is never booted.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_CACHE=${CGJOB_VM_CACHE:-$([ "$(id -u)" = 0 ] && echo /var/cache/cgjob-vm || echo "$HOME/.cache/cgjob-vm")}
VM_SUITE=bookworm
# Modules the guest must load before it can mount its root and shares (ext4
# wants crc32c, a soft dependency modules.dep does not list); the
# rest of each Debian kernel's modules stay out of the initramfs. The
# others are what CRIU 3.17 needs (Debian's 6.1 builds them as modules):
# the socket diag modules for socket dumps, and for `criu check` at all
# nf_tables (without it kerndat_has_nftables_concat fails), tun and veth.
VM_MODULES=(virtio_pci virtio_blk crc32c_generic ext4 9p 9pnet_virtio fuse
  unix_diag inet_diag tcp_diag udp_diag af_packet_diag netlink_diag nf_tables tun veth)

vm_log() { echo "vm: $*" >&2; }
vm_die() { echo "vm: $*" >&2; exit 125; }

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

# Runs "$@" holding the cache lock, so that parallel runs build each artefact
# once and never boot one half written.
with_cache_lock() {
  mkdir -p "$VM_CACHE"
  ( flock -w 1800 9 || vm_die "cannot lock $VM_CACHE"; "$@" ) 9>"$VM_CACHE/.lock"
}

# The guest's root filesystem: Debian 12 minbase plus packages.txt, as an
# ext4 image. The guest boots it with snapshot=on, so it is never modified.
vm_image() {
  local pkgs h img
  pkgs=$(grep -v '^#' "$VM_DIR/packages.txt" | xargs | tr ' ' ,)
  h=$( (echo "$VM_SUITE $pkgs"; declare -f build_image) | sha256sum | cut -c1-16)
  img="$VM_CACHE/rootfs-$h.ext4"
  if [ ! -f "$img" ]; then with_cache_lock build_image "$pkgs" "$img"; fi
  echo "$img"
}

build_image() {
  local pkgs=$1 img=$2 tmp start
  [ -f "$img" ] && return 0
  start=$(date +%s)
  tmp=$(mktemp -d "$VM_CACHE/rootfs.XXXXXX")
  vm_log "building the guest root filesystem (Debian $VM_SUITE minbase + $pkgs)"
  # A fixed machine-id: the guest is not on its first boot (no firstboot
  # prompts), and the same in every run. root has no password, for a
  # debugging login on the console.
  if ! mmdebstrap --quiet --variant=minbase --include="$pkgs" \
      --customize-hook='echo 6367726f75702d6a6f62732d766d0a00 > "$1/etc/machine-id"' \
      --customize-hook='echo cgjob-vm > "$1/etc/hostname"' \
      --customize-hook='chroot "$1" passwd -d root >/dev/null' \
      --customize-hook='rm -f "$1"/var/cache/apt/*.bin "$1"/var/lib/apt/lists/*_Packages' \
      "$VM_SUITE" "$tmp/root" >&2; then
    rm -rf "$tmp"; vm_die "mmdebstrap failed"
  fi
  mke2fs -q -t ext4 -L cgjob-root -d "$tmp/root" -F "$tmp/image.ext4" 2G >&2 || { rm -rf "$tmp"; vm_die "mke2fs failed"; }
  mv "$tmp/image.ext4" "$img"
  rm -rf "$tmp"
  vm_log "root filesystem $img built in $(( $(date +%s) - start )) s"
}

# Sets KERNEL_IMAGE, KERNEL_VERSION and KERNEL_MODULES (a lib/modules/<ver>
# tree, or empty when everything needed is built in) for --kernel $1:
# generic, rt, cloud (Debian 12's current linux-image-6.1 packages) or the
# path of a bzImage. A bzImage with modular drivers names its modules tree
# in CGJOB_VM_MODULES (the lib/modules/<version> directory).
vm_kernel() {
  local kind=$1 meta pkg dir
  case $kind in
    generic) meta=linux-image-amd64 ;;
    rt) meta=linux-image-rt-amd64 ;;
    cloud) meta=linux-image-cloud-amd64 ;;
    *)
      [ -f "$kind" ] || vm_die "--kernel: no such kernel image: $kind"
      KERNEL_IMAGE=$(readlink -f "$kind")
      KERNEL_MODULES=${CGJOB_VM_MODULES:-}
      KERNEL_VERSION=$([ -n "$KERNEL_MODULES" ] && basename "$KERNEL_MODULES" || echo custom)
      return 0 ;;
  esac
  # The meta package names the current ABI, e.g. linux-image-6.1.0-57-amd64.
  pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)/\1/p' | head -1)
  [ -n "$pkg" ] || vm_die "cannot resolve $meta (apt-get update?)"
  dir="$VM_CACHE/kernels/$pkg"
  if [ ! -f "$dir/ok" ]; then with_cache_lock fetch_kernel "$pkg" "$dir"; fi
  KERNEL_IMAGE=$(ls "$dir"/root/boot/vmlinuz-*)
  KERNEL_VERSION=${KERNEL_IMAGE##*/vmlinuz-}
  KERNEL_MODULES="$dir/root/lib/modules/$KERNEL_VERSION"
}

# Downloads the kernel package with apt-get and unpacks it in the cache, not
# in the host's /boot: the host's own boot is left alone.
fetch_kernel() {
  local pkg=$1 dir=$2
  [ -f "$dir/ok" ] && return 0
  rm -rf "$dir"; mkdir -p "$dir"
  vm_log "fetching $pkg"
  (cd "$dir" && apt-get download -qq "$pkg" 2>&1 | { grep -v unsandboxed || true; } >&2)
  ls "$dir"/*.deb > /dev/null 2>&1 || vm_die "apt-get download $pkg failed"
  dpkg-deb -x "$dir"/*.deb "$dir/root" || vm_die "cannot unpack $pkg"
  rm -f "$dir"/*.deb
  # Debian's package leaves modules.dep to its postinst: make it here.
  local ver
  ver=$(ls "$dir/root/lib/modules")
  depmod -b "$dir/root" "$ver" || vm_die "depmod failed for $pkg"
  touch "$dir/ok"
}

# Whether the ELF file $1 is linked statically (no PT_INTERP program header).
is_static_elf() {
  python3 -c '
import struct, sys
data = open(sys.argv[1], "rb").read()
if data[:4] != b"\x7fELF" or data[4] != 2:
    sys.exit(1)
phoff, = struct.unpack_from("<Q", data, 0x20)
phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
interp = any(struct.unpack_from("<I", data, phoff + i * phentsize)[0] == 3 for i in range(phnum))
sys.exit(1 if interp else 0)' "$1"
}

# A static busybox for the initramfs, which has no libc: the host's
# /bin/busybox where it is static (busybox-static), else busybox-static's
# own binary, fetched into the cache without touching the host's (a kernel
# package pulls in initramfs-tools and with it Debian's dynamic busybox).
vm_busybox() {
  if [ -x /bin/busybox ] && is_static_elf /bin/busybox; then echo /bin/busybox; return; fi
  local dir="$VM_CACHE/busybox-static"
  if [ ! -x "$dir/root/bin/busybox" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    (cd "$dir" && apt-get download -qq busybox-static 2>&1 | { grep -v unsandboxed || true; } >&2)
    ls "$dir"/*.deb > /dev/null 2>&1 || vm_die "apt-get download busybox-static failed"
    dpkg-deb -x "$dir"/*.deb "$dir/root" || vm_die "cannot unpack busybox-static"
    rm -f "$dir"/*.deb
  fi
  is_static_elf "$dir/root/bin/busybox" || vm_die "busybox-static's busybox is not static"
  echo "$dir/root/bin/busybox"
}

# The initramfs for a kernel: static busybox, our init, and the modules of
# VM_MODULES with their dependencies (none when they are built in).
vm_initrd() {
  local h out
  BUSYBOX=$(vm_busybox)
  h=$( (echo "$KERNEL_IMAGE $KERNEL_MODULES ${VM_MODULES[*]}"; declare -f build_initrd module_load_order; cat "$VM_DIR/init.sh" "$BUSYBOX") | sha256sum | cut -c1-16)
  out="$VM_CACHE/initrd-$KERNEL_VERSION-$h.cpio.gz"
  if [ ! -f "$out" ]; then with_cache_lock build_initrd "$out"; fi
  echo "$out"
}

# The modules (paths relative to the modules tree) that loading $@ needs,
# dependencies first, each once. Built-in ones are skipped.
module_load_order() {
  local dep=$KERNEL_MODULES/modules.dep
  python3 - "$dep" "$@" <<'EOF'
import sys, os
deps, by_name = {}, {}
for line in open(sys.argv[1]):
    path, _, rest = line.partition(":")
    deps[path] = rest.split()
    name = os.path.basename(path).split(".ko")[0].replace("-", "_")
    by_name[name] = path
order = []
def visit(path):
    if path in order:
        return
    for d in deps.get(path, []):
        visit(d)
    order.append(path)
for name in sys.argv[2:]:
    if name.replace("-", "_") in by_name:
        visit(by_name[name.replace("-", "_")])
print("\n".join(order))
EOF
}

build_initrd() {
  local out=$1 tmp m
  [ -f "$out" ] && return 0
  tmp=$(mktemp -d "$VM_CACHE/initrd.XXXXXX")
  mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,modules}
  cp "$BUSYBOX" "$tmp/bin/busybox"
  for a in sh mount umount mkdir insmod switch_root sleep cat echo ls ln cp poweroff reboot grep sed; do
    ln -s busybox "$tmp/bin/$a"
  done
  cp "$VM_DIR/init.sh" "$tmp/init"; chmod 755 "$tmp/init"
  : > "$tmp/modules/order"
  if [ -n "$KERNEL_MODULES" ] && [ -f "$KERNEL_MODULES/modules.dep" ]; then
    for m in $(module_load_order "${VM_MODULES[@]}"); do
      # busybox insmod takes plain .ko files only.
      case $m in
        *.ko.xz) xz -dc "$KERNEL_MODULES/$m" > "$tmp/modules/$(basename "$m" .xz)" ;;
        *.ko.zst) zstd -qdc "$KERNEL_MODULES/$m" > "$tmp/modules/$(basename "$m" .zst)" ;;
        *.ko.gz) gzip -dc "$KERNEL_MODULES/$m" > "$tmp/modules/$(basename "$m" .gz)" ;;
        *) cp "$KERNEL_MODULES/$m" "$tmp/modules/" ;;
      esac
      basename "${m%.ko*}.ko" >> "$tmp/modules/order"
    done
  fi
  (cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$tmp.cpio.gz" || vm_die "cannot pack the initramfs"
  mv "$tmp.cpio.gz" "$out"
  rm -rf "$tmp"
}

# Whether KVM really works here (on nested hosts /dev/kvm can exist and still
# fail): probed once per host kernel and qemu version, by booting the guest.
# CGJOB_VM_ACCEL=kvm|tcg overrides.
vm_accel() {
  if [ -n "${CGJOB_VM_ACCEL:-}" ]; then echo "$CGJOB_VM_ACCEL"; return; fi
  [ -w /dev/kvm ] || { echo tcg; return; }
  local key f
  key=$(echo "$(uname -r) $(qemu-system-x86_64 --version | head -1)" | sha256sum | cut -c1-16)
  f="$VM_CACHE/kvm-probe-$key"
  if [ ! -f "$f" ]; then
    vm_log "probing KVM (once for this host)"
    if CGJOB_VM_ACCEL=kvm CGJOB_VM_TIMEOUT=60 "$VM_DIR/../vm-run.sh" --mode v2 -- true >/dev/null 2>&1; then
      echo kvm > "$f"
    else
      echo tcg > "$f"
    fi
    vm_log "KVM probe: $(cat "$f")"
  fi
  cat "$f"
}

# How the guest sees the shares: 9p where the kernel has it (built in or as
# a module), else a read-only disk ("disk"; Debian's cloud kernel has no 9p).
# A --kernel PATH without a modules tree is taken to have 9p built in.
# CGJOB_VM_TRANSPORT=9p|disk overrides.
vm_transport() {
  if [ -n "${CGJOB_VM_TRANSPORT:-}" ]; then echo "$CGJOB_VM_TRANSPORT"; return; fi
  if [ -z "$KERNEL_MODULES" ] || grep -qs '/9p\.ko' "$KERNEL_MODULES/modules.dep" "$KERNEL_MODULES/modules.builtin"; then
    echo 9p
  else
    echo disk
  fi
}
