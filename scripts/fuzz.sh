#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz) with Debian's clang into
# build-fuzz/ and runs each for SECONDS (default 60), starting from its
# committed seeds in tests/fuzz/corpus/<harness>/. New inputs go to
# build-fuzz/corpus/<harness>/, crashes to build-fuzz/artifacts/. Exits 1 if
# any harness found something; reproduce with build-fuzz/tests/fuzz/<harness> FILE.
#
#   bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "usage: bash scripts/fuzz.sh [SECONDS]" >&2; exit 2; }
bash scripts/install-deps.sh fuzz
source scripts/compiler-cache.sh
CC=clang CXX=clang++ cmake -S . -B build-fuzz "${compiler_cache[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCGJOB_FUZZ=ON \
  -DCGJOB_BUILD_TESTS=OFF -DCGJOB_STATIC=OFF -DCGJOB_SANITIZE=OFF -DCGJOB_WERROR=ON >/dev/null
cmake --build build-fuzz --target cgjob_fuzzers -j"$(nproc)"

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
failed=()
for source in tests/fuzz/*_fuzz.cpp; do
  name=$(basename "$source" .cpp)
  work=build-fuzz/corpus/$name
  mkdir -p "$work" build-fuzz/artifacts
  echo "fuzz: $name for ${seconds}s"
  if ! build-fuzz/tests/fuzz/"$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -max_len=4096 -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$name-" \
       "$work" "tests/fuzz/corpus/$name" 2>"build-fuzz/$name.log"; then
    failed+=("$name")
    tail -n 60 "build-fuzz/$name.log" >&2
  else
    grep -E '^stat::number_of_executed_units|^stat::new_units_added' "build-fuzz/$name.log" | tr '\n' ' '; echo
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]} (see build-fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz: no findings"
