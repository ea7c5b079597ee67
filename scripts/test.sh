#!/usr/bin/env bash
# Builds everything and runs every test suite: unit (fake kernel), real-kernel
# (both hierarchies), CLI (the built tools, both hierarchies), docs/packaging.
# Real-kernel tests need root and cgroupfs; without them they report SKIP.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure --timeout 600
