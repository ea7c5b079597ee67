# Scale (issue 12): many jobs, one sleeper each, created, frozen, listed,
# thawed and removed in a loop; each phase is cgfreeze over all the jobs
# (SCALE_BATCH per run) or one cgstat --json. CI runs it small; the full size is
#   SCALE_SIZES=1000,10000 SCALE_LOOPS=3 CGJOB_TEST_HIERARCHY=v2 \
#     CGJOB_BIN=build/tools bash tests/cli/scale.sh
# Asserts correctness only: every tool run succeeds, cgstat --json lists
# every job with the right state and its one process, everything is removed,
# and no sleeper survives (the EXIT trap cleans up after a failure too).
# Prints, not asserts: the time of each phase, the tools' peak RSS, and how
# the cost per job grows from the smallest size to the largest ("linear" when
# it stays within 1.5x).
source "$(dirname "$0")/lib.sh"
setup
command -v python3 >/dev/null || skip "needs python3 to parse JSON"
IFS=, read -r -a SIZES <<<"${SCALE_SIZES:-50,200}"
LOOPS=${SCALE_LOOPS:-1}
use_tmpdir scale
# GNU time gives the peak RSS of a run; without it RSS shows as "-".
GNU_TIME=/usr/bin/time
[ -x "$GNU_TIME" ] && "$GNU_TIME" -f %M -o /dev/null true 2>/dev/null || GNU_TIME=
# The tools must cope with a user's usual limit of 1,024 open files whatever
# the number of jobs.
ulimit -n 1024
# cgfreeze holds a directory fd per job it is given (one run over 10,000
# jobs fails with EMFILE at that limit): SCALE_BATCH jobs per run (0: all).
BATCH=${SCALE_BATCH:-500}
[ "$BATCH" -gt 0 ] || BATCH=1000000000

now_ns() { date +%s%N; }

# check_status DESCRIPTION STATUS: passes on 0, else fails showing the stderr
# of the run (in $TMPD/err); returns the verdict.
check_status() {
  if [ "$2" = 0 ]; then pass "$1"; return 0; fi
  fail "$1: status $2; stderr: $(head -3 "$TMPD/err")"
  return 1
}

# run_once CMD...: runs CMD, stdout appended to $TMPD/out, stderr to
# $TMPD/err; keeps the largest peak RSS seen in RSS; returns its status.
run_once() {
  local st r
  if [ -n "$GNU_TIME" ]; then
    "$GNU_TIME" -f %M -o "$TMPD/rss" "$@" >> "$TMPD/out" 2>> "$TMPD/err"; st=$?
    r=$(tail -1 "$TMPD/rss")  # after "Command exited with non-zero status"
    [ "$r" -gt "${RSS/-/0}" ] 2>/dev/null && RSS=$r
  else
    "$@" >> "$TMPD/out" 2>> "$TMPD/err"; st=$?
  fi
  return $st
}

# timed PHASE SIZE CMD...: runs CMD and appends "size phase wall_ms rss_kb"
# to $TMPD/times. timed PHASE SIZE --jobs CMD...: the same, CMD given all of
# JOBS, BATCH of them per run. Returns the first failing status.
timed() {
  local phase=$1 size=$2 t0 st=0 i; shift 2
  : > "$TMPD/out"; : > "$TMPD/err"; RSS=-
  t0=$(now_ns)
  if [ "$1" = --jobs ]; then
    shift
    for ((i = 0; i < ${#JOBS[@]}; i += BATCH)); do
      run_once "$@" "${JOBS[@]:i:BATCH}" || { st=$?; break; }
    done
  else
    run_once "$@" || st=$?
  fi
  echo "$size $phase $(( ($(now_ns) - t0) / 1000000 )) $RSS" >> "$TMPD/times"
  return $st
}

# Starts one sleeper inside each job (a subshell that joins the job, then
# becomes sleep); their PIDs go to $TMPD/pids ("job pid"), and to STARTED
# ("pid start-time"): PIDs come round again within a loop or two of 10,000
# (pid_max is 32768 here), so a PID alone does not say it is still ours.
# They are not tracked for lib.sh's cleanup, which kills by PID: being in
# the jobs, they are killed by the cleanup of $ROOT.
fill_jobs() {
  local j p f
  : > "$TMPD/pids"
  for j in "${JOBS[@]}"; do
    ( echo "$BASHPID" > "$ROOT/$j/cgroup.procs" && exec sleep 100000 ) &
    disown $!  # no "Killed" notice for each, and bash's job table stays small
    echo "$j $!" >> "$TMPD/pids"
  done
  STARTED=()
  while read -r _ p; do
    read -r -a f 2>/dev/null < "/proc/$p/stat" && STARTED+=("$p ${f[21]}")
  done < "$TMPD/pids"
}

# How many of the sleepers still run: their PID names a process with their
# start time that is not a zombie.
live_sleepers() {
  local e f n=0
  for e in "${STARTED[@]}"; do
    read -r -a f 2>/dev/null < "/proc/${e% *}/stat" || continue
    [ "${f[2]}" != Z ] && [ "${f[21]}" = "${e#* }" ] && n=$((n + 1))
  done
  echo "$n"
}
no_live_sleepers() { [ "$(live_sleepers)" = 0 ]; }

# listed_as STATE: cgstat's document ($TMPD/out) lists exactly the jobs of
# $TMPD/pids, each in STATE with its one sleeper. Prints what is wrong.
listed_as() {
  python3 - "$TMPD/out" "$TMPD/pids" "$1" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
want = dict(line.split() for line in open(sys.argv[2]))
state = sys.argv[3]
got = {j["name"]: j for j in doc["jobs"]}
bad = []
if set(got) != set(want):
    bad.append(f"{len(set(want) - set(got))} missing, {len(set(got) - set(want))} unexpected")
for name, pid in want.items():
    j = got.get(name)
    if j and (j["state"] != state or j["nprocs"] != 1 or j["pids"] != [int(pid)] or not j["populated"]):
        bad.append(f"{name}: {j['state']} nprocs={j['nprocs']} pids={j['pids'][:3]}")
print("; ".join(bad[:3]) + (f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""))
sys.exit(1 if bad else 0)
EOF
}

# Enough free PIDs for the sleepers, with room to spare.
pids_in_use=$(ls /proc | grep -c '^[0-9]')
pid_room=$(( $(cat /proc/sys/kernel/pid_max) - pids_in_use - 2000 ))
largest=0
for n in "${SIZES[@]}"; do [ "$n" -gt "$largest" ] && largest=$n; done
[ "$largest" -le "$pid_room" ] || skip "$largest sleepers would not fit in pid_max (room for $pid_room)"

for n in "${SIZES[@]}"; do
  JOBS=()
  for ((i = 0; i < n; i++)); do printf -v name 'j%05d' "$i"; JOBS+=("$name"); done
  # Bounds, not expectations: generous enough for 10,000 jobs on a busy v1.
  wait_for=$(scaled $(( 30 + n / 50 )))
  for loop in $(seq 1 "$LOOPS"); do
    what="$n jobs, loop $loop"
    timed create "$n" --jobs "$CGFREEZE" create
    check_status "$what: cgfreeze create" $? || break 2
    t0=$(now_ns); fill_jobs; echo "$n fill $(( ($(now_ns) - t0) / 1000000 )) -" >> "$TMPD/times"
    timed freeze "$n" --jobs "$CGFREEZE" --wait --timeout "$wait_for"
    check_status "$what: cgfreeze --wait" $? || break 2
    timed list-frozen "$n" "$CGSTAT" --json
    check_status "$what: cgstat --json" $? || break 2
    bad=$(listed_as FROZEN)
    expect "$what: cgstat lists every job FROZEN with its process${bad:+: $bad}" test -z "$bad"
    timed thaw "$n" --jobs "$CGFREEZE" thaw --wait --timeout "$wait_for"
    check_status "$what: cgfreeze thaw --wait" $? || break 2
    timed list-thawed "$n" "$CGSTAT" --json
    check_status "$what: cgstat --json" $? || break 2
    bad=$(listed_as THAWED)
    expect "$what: cgstat lists every job THAWED with its process${bad:+: $bad}" test -z "$bad"
    timed remove "$n" --jobs "$CGFREEZE" rm --kill --timeout "$wait_for"
    check_status "$what: cgfreeze rm --kill" $? || break 2
    left=$(find "$ROOT" -mindepth 1 -type d | wc -l)
    expect "$what: every job removed ($left left)" test "$left" = 0
    eventually no_live_sleepers
    expect "$what: no sleeper survives ($(live_sleepers) do)" no_live_sleepers
  done
done

# The figures: median wall time per phase and size, per job, cgstat's and
# cgfreeze's peak RSS, and the growth of the cost per job.
echo "# scale: $HIER, sizes ${SIZES[*]}, $LOOPS loop(s), load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$TMPD/times" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    size, phase, ms, rss = line.split()
    runs.setdefault((int(size), phase), []).append((int(ms), None if rss == "-" else int(rss)))
sizes = sorted({s for s, _ in runs})
phases = [p for p in ("create", "fill", "freeze", "list-frozen", "thaw", "list-thawed", "remove")
          if any((s, p) in runs for s in sizes)]
print(f"# {'phase':<12} {'jobs':>6} {'wall ms':>8} {'us/job':>8} {'peak RSS KiB':>12}")
per_job = {}
for p in phases:
    for s in sizes:
        if (s, p) not in runs: continue
        ms = statistics.median(m for m, _ in runs[(s, p)])
        rss = [r for _, r in runs[(s, p)] if r is not None]
        per_job[(s, p)] = ms * 1000 / s
        print(f"# {p:<12} {s:>6} {ms:>8.0f} {per_job[(s, p)]:>8.1f} {max(rss) if rss else '-':>12}")
if len(sizes) > 1:
    lo, hi = sizes[0], sizes[-1]
    for p in phases:
        if (lo, p) in per_job and (hi, p) in per_job and per_job[(lo, p)] > 0:
            g = per_job[(hi, p)] / per_job[(lo, p)]
            verdict = "linear" if g <= 1.5 else "NOT linear"
            print(f"# growth {p:<12} per job at {hi} / at {lo}: {g:.2f}x ({verdict}, bound 1.5x; not asserted)")
EOF
