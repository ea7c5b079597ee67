#!/usr/bin/env bash
# Installs what building (and, with "test", testing; with "nodes", the
# namespace-node demo; with "fuzz", fuzzing;
# with "bench", the benchmarks; with "vm", the VM test matrix) needs on Debian 12, as
# root, from Debian's packages only. Installs nothing already present.
set -euo pipefail
# ccache: scripts/compiler-cache.sh.
packages=(cmake g++ make ccache libcli11-dev nlohmann-json3-dev catch2 linux-libc-dev)
if [ "${1:-}" = bench ]; then
  # bench/: the peers a user would pick instead (cgset/cgget/cgexec/
  # cgclassify/lscgroup, pkill --cgroup).
  packages+=(cgroup-tools procps)
fi
if [ "${1:-}" = vm ]; then
  # scripts/vm-run.sh and vm-test.sh: qemu, a Debian root filesystem built
  # with mmdebstrap into an ext4 image, a busybox initramfs. The guest
  # kernels are fetched by the scripts themselves (apt-get download), and
  # their modules.dep made with kmod's depmod.
  packages+=(qemu-system-x86 mmdebstrap e2fsprogs busybox-static cpio python3 xz-utils zstd kmod)
fi
if [ "${1:-}" = fuzz ]; then
  # scripts/fuzz.sh: clang, and its runtimes (libFuzzer, ASan, UBSan), which
  # clang only recommends.
  packages+=(clang libclang-rt-dev)
fi
if [ "${1:-}" = test ]; then
  # Docs and packaging tests: man page rendering, shells for the completions,
  # the .deb and its lint; python3 parses JSON in the CLI tests; criu for
  # cgfreeze checkpoint/restore (tests/cli/checkpoint.sh; on a kernel where
  # `criu check` fails it tests the refusal).
  packages+=(groff man-db lintian dpkg-dev file zsh fish bash-completion python3 procps criu)
fi
if [ "${1:-}" = test ] || [ "${1:-}" = nodes ]; then
  # -w/--nodes runs on ClusterShell (its Python API, clush, nodeset); tests/nodes
  # and scripts/nodes-demo.sh reach namespace nodes by real ssh (sshd -i
  # through a ProxyCommand).
  packages+=(clustershell python3-clustershell openssh-server openssh-client)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
