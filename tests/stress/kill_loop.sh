#!/usr/bin/env bash
# Runs kernel test cases again and again and counts the runs that failed:
# how issue 25's escape (one process of a fork loop outliving SIGTERM, one
# run in ~500 on v1) was measured before and after its fix. Not a ctest
# test: a few thousand runs take an hour.
#   tests/stress/kill_loop.sh KERNEL_TESTS HIERARCHY RUNS CASE...
# KERNEL_TESTS is build/tests/kernel/cgjob_kernel_tests; each CASE a Catch2
# test name (tests/kernel/kill_test.cpp). Each run of each case works in
# its own job root, as every kernel test does. Prints each failed run's
# output (which names what was left in the job: a guest's /tmp is gone once
# it stops) and "CASE: F of N failed" per case; exit status 1 when any run
# failed.
set -u
[ $# -ge 4 ] || { sed -n '6p' "$0" | sed 's/^# *//' >&2; exit 2; }
tests=$1 hier=$2 runs=$3; shift 3
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "kill_loop: RUNS must be a positive number" >&2; exit 2; }
logs=$(mktemp -d /tmp/cgjob-kill-loop.XXXXXX)
status=0
for case_name in "$@"; do
  failed=0 start=$SECONDS
  for ((i = 1; i <= runs; i++)); do
    log=$logs/$(echo "$case_name" | tr -c 'A-Za-z0-9\n' '_')-$i.log
    if CGJOB_TEST_HIERARCHY=$hier "$tests" "$case_name" --use-colour no > "$log" 2>&1; then
      rm -f "$log"
    else
      failed=$((failed + 1)); status=1
      echo "run $i of '$case_name' failed: $log"
      sed 's/^/  | /' "$log"
    fi
  done
  echo "$case_name ($hier, $(uname -r)): $failed of $runs failed, $((SECONDS - start)) s"
done
[ "$status" = 0 ] && rmdir "$logs" || echo "outputs of failed runs: $logs"
exit "$status"
