#!/usr/bin/env bash
# Builds a guest kernel: Debian 12's linux-source-6.1 with the series in
# kernel/patches/linux-6.1/ applied, configured small (x86_64_defconfig +
# kvm_guest.config + kernel/patches/linux-6.1/guest.config: what a qemu guest
# with a 9p share needs to run the tools and their tests). Prints the built
# bzImage's path as its last line. Beside the image, in <image>.selftests/,
# the kernel's cgroup selftests of cgroup.signal (test_signal), the freezer
# (test_freezer, with the series' subtree tests) and cgroup.kill (test_kill),
# static, for scripts/vm-test.sh to run in the patched guest.
#
#   scripts/kernel-build.sh           build (or reuse) the guest kernel
#   scripts/kernel-build.sh --check   only check that the series applies, passes
#                                     checkpatch and that the files it touches
#                                     compile (a CI-sized job, a few minutes)
#
# Output is cached in $KERNEL_BUILD_DIR (default /var/tmp/cgjob-kernel, outside
# the repository): the unpacked source (a git tree, so switching series only
# rewrites the files that differ), the object tree, and one image per
# (source version, series, config). A second run with nothing changed only
# prints the path; a changed series rebuilds what it touches.
# The build runs under `nice -n 19` with $KERNEL_JOBS jobs (default: nproc):
# about 16 minutes on 2 idle cores, much longer on a shared machine.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
patches="$repo/kernel/patches/linux-6.1"
build_dir=${KERNEL_BUILD_DIR:-/var/tmp/cgjob-kernel}
jobs=${KERNEL_JOBS:-$(nproc)}
check=false

case "${1:-}" in
  --check) check=true ;;
  "") ;;
  -h|--help) sed -n '2,23s/^# \{0,1\}//p' "$0"; exit 0 ;;
  *) echo "kernel-build.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

say() { echo "kernel-build: $*" >&2; }
die() { say "$*"; exit 1; }

version=$(cat "$patches/source-version")
mkdir -p "$build_dir"
# One build at a time: the source tree is shared.
exec 9>"$build_dir/lock"
flock 9

install_deps() {
  local want=(build-essential bc bison flex libssl-dev libelf-dev cpio xz-utils
              kmod python3 python3-ply python3-git git) missing=() p
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  if [[ "$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)" != "$version" ]]; then
    missing+=("linux-source-6.1=$version")
  fi
  ((${#missing[@]})) || return 0
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || true
  apt-get install -y -qq "${missing[@]}" >&2
}

# $build_dir/src: the package's tree as git commit "base", unpacked once per version.
unpack_source() {
  local src="$build_dir/src"
  if [[ -d "$src/.git" && "$(cat "$build_dir/src-version" 2>/dev/null)" == "$version" ]]; then
    return
  fi
  say "unpacking linux-source-6.1 $version into $src"
  rm -rf "$src" "$build_dir/out" "$build_dir/check" "$build_dir/src-version"
  mkdir -p "$build_dir/unpack"
  tar -C "$build_dir/unpack" -xf /usr/src/linux-source-6.1.tar.xz
  mv "$build_dir/unpack/linux-source-6.1" "$src"
  rmdir "$build_dir/unpack"
  # Debian's top-level .gitignore ignores everything: add by force.
  git -C "$src" init -q
  git -C "$src" add -f -A .
  git -C "$src" -c user.name=kernel-build -c user.email=kernel-build@localhost \
    commit -q -m "linux-source-6.1 $version"
  git -C "$src" tag base
  echo "$version" >"$build_dir/src-version"
}

# Back to the package's tree, then the series in order; fails on any fuzz.
# Skipped when the tree already holds this series untouched, so that an
# unchanged series does not make every file including a patched header stale.
apply_series() {
  local src="$build_dir/src" p stamp
  stamp=$(cat "$patches/series" $(series_patches | sed "s|^|$patches/|") | sha256sum)
  if [[ "$(cat "$build_dir/applied" 2>/dev/null)" == "$stamp" ]] &&
     git -C "$src" diff --quiet && [[ -z "$(git -C "$src" ls-files -o)" ]]; then
    return
  fi
  rm -f "$build_dir/applied"
  git -C "$src" checkout -q -f --detach base
  git -C "$src" clean -q -f -d
  while read -r p; do
    [[ -z "$p" || "$p" == \#* ]] && continue
    git -C "$src" apply --index "$patches/$p" || die "$p does not apply to linux-source-6.1 $version"
  done <"$patches/series"
  echo "$stamp" >"$build_dir/applied"
}

series_patches() { grep -v -e '^#' -e '^$' "$patches/series"; }

# The kernel's own style check; a new file always asks about MAINTAINERS,
# and the package's tree has no upstream history, so commit ids in Fixes:
# and in the logs cannot be looked up (they are upstream's).
# Its SPDX check runs python3 from PATH: the system's, which has ply.
checkpatch() {
  local p
  # Run from the kernel tree: from inside another git tree checkpatch
  # takes the patch for a source file.
  while read -r p; do
    (cd "$build_dir/src" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --quiet \
      --ignore FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID "$patches/$p") >&2 ||
      die "checkpatch: $p has style problems"
  done < <(series_patches)
  say "checkpatch --strict: clean"
}

configure() {
  local out=$1 opt
  make -s -C "$build_dir/src" O="$out" x86_64_defconfig kvm_guest.config >/dev/null
  "$build_dir/src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
    "$patches/guest.config" >/dev/null
  make -s -C "$build_dir/src" O="$out" olddefconfig >/dev/null
  # An option Kconfig dropped (a missing dependency) must not pass silently.
  while read -r opt; do
    grep -qx "$opt" "$out/.config" || die "config: $opt did not stick"
  done < <(grep -E '^CONFIG_[A-Z0-9_]+=' "$patches/guest.config")
  while read -r opt; do
    ! grep -q "^$opt=" "$out/.config" || die "config: $opt is still on"
  done < <(sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1/p' "$patches/guest.config")
}

# The objects of the C files the series touches outside tools/.
touched_objects() {
  local p
  while read -r p; do
    sed -n 's|^+++ b/\(.*\)\.c$|\1.o|p' "$patches/$p"
  done < <(series_patches) | grep -v '^tools/' | sort -u
}

check_series() {
  local out="$build_dir/check" objs start=$SECONDS
  install_deps
  unpack_source
  apply_series
  say "series applies to linux-source-6.1 $version"
  checkpatch
  mkdir -p "$out"
  configure "$out"
  mapfile -t objs < <(touched_objects)
  say "compiling ${objs[*]}"
  nice -n 19 make -s -C "$build_dir/src" O="$out" -j"$jobs" "${objs[@]}" >&2
  # The selftests build against the patched tree's kselftest headers.
  for t in test_signal test_freezer; do
    gcc -Wall -Werror -pthread \
      -o "$out/$t" "$build_dir/src/tools/testing/selftests/cgroup/$t.c" \
      "$build_dir/src/tools/testing/selftests/cgroup/cgroup_util.c"
  done
  say "check passed in $((SECONDS - start)) s"
}

build_kernel() {
  local out="$build_dir/out" key image start=$SECONDS
  key=$( { echo "$version"; cat "$patches/series" "$patches/guest.config";
           while read -r p; do cat "$patches/$p"; done < <(series_patches);
           sed -n '/^configure()/,/^}/p' "$0"; } | sha256sum | cut -c1-16)
  image="$build_dir/images/bzImage-$version-$key"
  if [[ -f "$image" ]]; then
    say "up to date (series and config unchanged)"
    [[ -d "$image.selftests" ]] || { apply_series; build_selftests "$image.selftests"; }
    echo "$image"
    return
  fi
  install_deps
  unpack_source
  apply_series
  mkdir -p "$out" "$build_dir/images"
  configure "$out"
  say "building in $out with nice -n 19 -j$jobs (log: $build_dir/build.log)"
  if ! nice -n 19 make -C "$build_dir/src" O="$out" -j"$jobs" bzImage >"$build_dir/build.log" 2>&1; then
    tail -n 30 "$build_dir/build.log" >&2
    die "build failed (log: $build_dir/build.log)"
  fi
  cp "$out/arch/x86/boot/bzImage" "$image.tmp"
  build_selftests "$image.selftests"
  mv "$image.tmp" "$image"
  say "built in $((SECONDS - start)) s"
  echo "$image"
}

# The cgroup selftests of the patched tree (kselftest's own sources, built
# as its Makefile would, but static: the guest runs them from the share).
build_selftests() {
  local dir=$1 t sel="$build_dir/src/tools/testing/selftests/cgroup"
  rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
  for t in test_signal test_freezer test_kill; do
    gcc -O2 -Wall -static -pthread -I "$build_dir/src/tools/testing/selftests" \
      -o "$dir.tmp/$t" "$sel/$t.c" "$sel/cgroup_util.c" >&2 || die "cannot build the selftest $t"
  done
  rm -rf "$dir"; mv "$dir.tmp" "$dir"
}

if $check; then
  check_series
else
  build_kernel
fi
