# Soak (issue 12): concurrent runs of every tool on the same jobs, and fork
# loops frozen and killed again and again, on the real kernel. CI runs it
# small; the full size is
#   SOAK_SECONDS=60 SOAK_LOOPS=20 SOAK_BOMBS=100 CGJOB_TEST_HIERARCHY=v2 \
#     CGJOB_BIN=build/tools bash tests/cli/soak.sh
# Checks: no run hangs (each is killed after 60 s: status 137 would show it),
# every status is a documented one, each job ends in the state of its last
# request, and fork loops leave no survivor and nothing behind.
source "$(dirname "$0")/lib.sh"
setup
# The small size runs longer where the tests' waits are scaled (slow guests),
# so that the loops still overlap many times.
SECONDS_TOTAL=${SOAK_SECONDS:-$(scaled 8)}
LOOPS=${SOAK_LOOPS:-20}
BOMBS=${SOAK_BOMBS:-10}
use_tmpdir soak
JOBS=(a b c)

now_ns() { date +%s%N; }
for j in "${JOBS[@]}"; do
  for i in 1 2; do PID=$("$CGFREEZE" run --detach "$j" -- sleep 1000); track "$PID"; done
done

# One loop: random operations on random jobs until the time is up. Each
# line of its log: job op status start_ns end_ns.
soak_loop() {
  local log=$1 until=$(( $(date +%s) + SECONDS_TOTAL )) j op st t0
  while [ "$(date +%s)" -lt "$until" ]; do
    j=${JOBS[RANDOM % 3]}
    t0=$(now_ns)
    case $((RANDOM % 8)) in
      0) op=freeze; timeout -s KILL 60 "$CGFREEZE" "$j" 2>>"$log.err" ;;
      1) op=freeze-wait; timeout -s KILL 60 "$CGFREEZE" --wait --timeout 2 "$j" 2>>"$log.err" ;;
      2) op=thaw; timeout -s KILL 60 "$CGFREEZE" thaw "$j" 2>>"$log.err" ;;
      3) op=thaw-wait; timeout -s KILL 60 "$CGFREEZE" thaw --wait --timeout 2 "$j" 2>>"$log.err" ;;
      4) op=probe; timeout -s KILL 60 "$CGKILL" -0 "$j" 2>>"$log.err" ;;
      5) op=cont; timeout -s KILL 60 "$CGKILL" -CONT --timeout 5 "$j" 2>>"$log.err" ;;
      6) op=stat; timeout -s KILL 60 "$CGSTAT" --json "$j" >/dev/null 2>&1 ;;
      7) op=stat; timeout -s KILL 60 "$CGSTAT" -r >/dev/null 2>&1 ;;
    esac
    st=$?
    echo "$j $op $st $t0 $(now_ns)" >> "$log"
    [ "$st" = 0 ] || echo "$j $op $st: (above)" >> "$log.err"
  done
}

for i in $(seq 1 "$LOOPS"); do soak_loop "$TMPD/loop.$i" & done
wait
cat "$TMPD"/loop.? "$TMPD"/loop.?? > "$TMPD/all" 2>/dev/null
expect "the loops ran ($(wc -l < "$TMPD/all") operations)" test "$(wc -l < "$TMPD/all")" -gt "$LOOPS"
expect "no run hung (killed after 60 s)" eval '! grep -q " 137 " "$TMPD/all"'
# freeze/thaw: 0, or 124 when a wait (or a lock wait) timed out; a wait may
# also end with 1 when another run reversed its request (and says so);
# cgkill -0: 0 (the job has processes); -CONT: 0 or 124; cgstat: 0.
bad=$(awk '($2=="freeze"||$2=="thaw"||$2=="cont") && $3!=0 && $3!=124 {print}
           ($2=="freeze-wait"||$2=="thaw-wait") && $3!=0 && $3!=1 && $3!=124 {print}
           ($2=="probe"||$2=="stat") && $3!=0 {print}' "$TMPD/all")
expect "every status is a documented one${bad:+: $(head -3 <<<"$bad")}" test -z "$bad"
reversed=$(awk '$2 ~ /-wait$/ && $3==1' "$TMPD/all" | wc -l)
said=$(cat "$TMPD"/loop.*.err 2>/dev/null | grep -c "another run asked to")
expect "each wait that ended with 1 said another run reversed it ($reversed, $said)" test "$reversed" = "$said"
errors=$(cat "$TMPD"/loop.*.err 2>/dev/null |
  grep -v "timed out\|not frozen:\|thawed back\|left FREEZING\|another run asked to\|(above)" | head -5)
expect "no other error${errors:+: $errors}" test -z "$errors"

# The last request of each job wins: the request that ended last, where no
# other request on the job was still running when it started.
for j in "${JOBS[@]}"; do
  last=$(awk -v j="$j" '$1==j && $2 ~ /^(freeze|thaw)/ && $3==0' "$TMPD/all" | sort -k5,5n | tail -1)
  [ -n "$last" ] || continue
  read -r _ op _ start _ <<<"$last"
  overlap=$(awk -v j="$j" -v s="$start" '$1==j && $2 ~ /^(freeze|thaw|cont)/ && $5>s' "$TMPD/all" | wc -l)
  if [ "$overlap" -gt 1 ]; then pass "$j: last request overlapped another run (not judged)"; continue; fi
  if [[ $op == freeze* ]]; then expect "$j ends as its last request asked ($op)" self_requested "$j"
  else expect "$j ends as its last request asked ($op)" eval "! self_requested $j"; fi
done
for j in "${JOBS[@]}"; do
  check "$j: a last freeze --wait works" 0 "$CGFREEZE" --wait --timeout 10 "$j"
  check "$j: a last thaw --wait works" 0 "$CGFREEZE" thaw --wait --timeout 10 "$j"
done

# --- fork loops frozen and killed, again and again ---------------------------------------
survivors=0; left=0
for i in $(seq 1 "$BOMBS"); do
  PID=$("$CGFREEZE" run --detach bomb -- sh -c 'while :; do sh -c "sleep 100" & sleep 0.001; done')
  track "$PID"
  eventually has_procs bomb 10  # the loop is forking
  "$CGFREEZE" --wait --timeout 10 bomb 2>/dev/null || survivors=$((survivors + 1000))
  "$CGKILL" -9 --wait --timeout 10 bomb 2>/dev/null || survivors=$((survivors + 1))
  n=$(nprocs bomb); survivors=$((survivors + n))
  "$CGFREEZE" rm bomb 2>/dev/null || left=$((left + 1))
done
expect "$BOMBS fork loops frozen and killed: no survivor (score $survivors)" test "$survivors" = 0
expect "... and each job removed ($left not)" test "$left" = 0
