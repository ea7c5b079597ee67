#!/bin/bash
# cgfreeze over more JOBs than the open-file limit: no command may fail
# because of how many jobs it was given (each job held a directory fd and a
# watch fd for the whole run; now they go in batches).
source "$(dirname "$0")/lib.sh"
setup

N=1500
JOBS=()
for i in $(seq 1 $N); do JOBS+=("many/j$i"); done

# Each command runs under a hard limit of 1,024 open files: the tools may
# raise their soft limit up to the hard one, not past it.
limited() { (ulimit -n 1024 && "$@"); }

all_in_state() {
  local want=$1 j
  for j in "${JOBS[@]}"; do [ "$(kernel_state "$j")" = "$want" ] || { echo "# $j: $(kernel_state "$j")"; return 1; }; done
}
none_left() { local j; for j in "${JOBS[@]}"; do [ -d "$ROOT/$j" ] && return 1; done; return 0; }

check "create $N jobs in one run under ulimit -n 1024" 0 limited "$CGFREEZE" create "${JOBS[@]}"
# A few of them have a process, so the waits wait for something.
for j in many/j1 many/j700 many/j$N; do run_in "$j" sleep 1000; done
check "freeze --wait $N jobs under ulimit -n 1024" 0 limited "$CGFREEZE" freeze --wait "${JOBS[@]}"
expect "all $N jobs are FROZEN" all_in_state FROZEN
check "thaw --wait $N jobs under ulimit -n 1024" 0 limited "$CGFREEZE" thaw --wait "${JOBS[@]}"
expect "all $N jobs are THAWED" all_in_state THAWED
check "freeze (no --wait) $N jobs under ulimit -n 1024" 0 limited "$CGFREEZE" freeze "${JOBS[@]}"
check "thaw $N jobs under ulimit -n 1024" 0 limited "$CGFREEZE" thaw "${JOBS[@]}"
check "freeze --wait --timeout $N jobs under ulimit -n 1024" 0 limited "$CGFREEZE" freeze --wait --timeout "$(scaled 60)" "${JOBS[@]}"
check "thaw --wait --timeout $N jobs under ulimit -n 1024" 0 limited "$CGFREEZE" thaw --wait --timeout "$(scaled 60)" "${JOBS[@]}"
check "rm --kill $N jobs under ulimit -n 1024" 0 limited "$CGFREEZE" rm --kill "${JOBS[@]}"
expect "all $N jobs are gone" none_left
