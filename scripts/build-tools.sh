#!/usr/bin/env bash
# Builds what a guest or the patched bench runs from the host's build tree:
#   scripts/build-tools.sh DIR [TARGET...]
# A tree not yet configured (a fresh clone) first gets the build's packages
# (scripts/install-deps.sh) and is configured as the guests need it: static
# tools, Debian 12 inside as outside. An existing tree keeps its options and
# is brought up to date; TARGETs limit the build (default: everything, the
# test programs the guests run included). Exit status: that of the build.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 1 ] || { sed -n '3p' "$0" | sed 's/^# *//' >&2; exit 2; }
dir=$1; shift
if [ ! -f "$dir/CMakeCache.txt" ]; then
  "$repo/scripts/install-deps.sh" >&2
  cmake -S "$repo" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCGJOB_STATIC=ON > /dev/null
fi
targets=()
[ $# -eq 0 ] || targets=(--target "$@")
# nice: a build beside running guests must not starve them.
nice cmake --build "$dir" -j"$(nproc)" "${targets[@]}" > /dev/null
