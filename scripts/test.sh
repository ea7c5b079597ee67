#!/usr/bin/env bash
# Builds everything and runs every test suite: unit (fake kernel), real-kernel
# (both hierarchies), CLI (the built tools, both hierarchies), docs/packaging.
# Real-kernel tests need root and cgroupfs; without them they report SKIP.
#
#   bash scripts/test.sh              # build/ with warnings as errors, every suite
#   bash scripts/test.sh --sanitize   # build-sanitize/ with ASan+UBSan+LSan, every suite but docs
#   bash scripts/test.sh --build-only # build/ as the first would, no tests (CI: its guests run on it)
#
# Every option that matters is passed on each run, so whatever configured the
# build directory before (scripts/demo.sh builds elsewhere anyway), the tests
# are built and run; ctest fails when it finds none.
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize=0 build_only=0
case "${1:-}" in
  "") ;;
  --sanitize) sanitize=1 ;;
  --build-only) build_only=1 ;;
  *) echo "usage: bash scripts/test.sh [--sanitize | --build-only]" >&2; exit 2 ;;
esac
bash scripts/install-deps.sh test
source scripts/compiler-cache.sh
common=("${compiler_cache[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCGJOB_BUILD_TESTS=ON -DCGJOB_WERROR=ON -DCGJOB_FUZZ=OFF)
if [ "$sanitize" = 0 ]; then
  cmake -S . -B build "${common[@]}" -DCGJOB_STATIC=ON -DCGJOB_SANITIZE=OFF
  cmake --build build -j"$(nproc)"
  [ "$build_only" = 0 ] || exit 0
  exec ctest --test-dir build --output-on-failure --timeout 600 --no-tests=error
fi

# Sanitized: the tools link dynamically (static linking and ASan do not mix).
# Every report goes to a file under $reports as well as to stderr, so that
# one from a command whose status a test ignores still fails the run; the
# directory is open to all, since the rootless test runs the tools as another
# user. A sanitizer's exit status (86) is one no tool documents.
cmake -S . -B build-sanitize "${common[@]}" -DCGJOB_STATIC=OFF -DCGJOB_SANITIZE=ON
cmake --build build-sanitize -j"$(nproc)"
reports=$(mktemp -d /tmp/cgjob-sanitize.XXXXXX)
chmod 1777 "$reports"
trap 'rm -rf "$reports"' EXIT
export ASAN_OPTIONS="exitcode=86:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$reports/asan"
export UBSAN_OPTIONS="exitcode=86:halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
export LSAN_OPTIONS="exitcode=86"
status=0
ctest --test-dir build-sanitize --output-on-failure --timeout 900 --no-tests=error -LE docs || status=$?
if compgen -G "$reports/*" >/dev/null; then
  echo "test.sh --sanitize: sanitizer reports:" >&2
  for f in "$reports"/*; do echo "=== $f" >&2; cat "$f" >&2; done
  status=1
fi
exit "$status"
