# cgfreeze run: COMMAND gets the caller's world (limits, signal mask, ignored
# signals), signals reach it once, and a job frozen while run starts never
# hangs it. On the hierarchy named by CGJOB_TEST_HIERARCHY.
source "$(dirname "$0")/lib.sh"
setup
command -v python3 >/dev/null || skip "python3 is needed to set signal masks and drive a pty"

# --- the caller's soft limit on open files ------------------------------------
# A soft limit of 256 under a hard one above it (root may raise the hard
# limit where it is lower): a run that raised its own soft limit to the hard
# one would show.
file_exists() { [ -e "$1" ]; }
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -le 256 ]; then hard=1024; fi
OUT=$(ulimit -Hn "$hard" && ulimit -Sn 256 && "$CGFREEZE" run lim -- sh -c 'ulimit -Sn'); rc=$?
expect "run keeps the caller's soft RLIMIT_NOFILE (got '$OUT', status $rc)" test "$OUT" = 256
LIM=$(mktemp -u)
(ulimit -Hn "$hard" && ulimit -Sn 256 && "$CGFREEZE" run --detach lim -- sh -c "ulimit -Sn > $LIM.tmp; mv $LIM.tmp $LIM" > /dev/null)
eventually file_exists "$LIM"
expect "... run --detach too ($(cat "$LIM" 2>/dev/null))" test "$(cat "$LIM" 2>/dev/null)" = 256
rm -f "$LIM"

# --- signal mask and ignored signals ------------------------------------------
# python3 blocks SIGUSR1 (and ignores SIGUSR2), prints its own SigBlk/SigIgn,
# then execs cgfreeze run; COMMAND prints its own. They must be the same.
WRAP=$(mktemp --suffix=.py)
cat > "$WRAP" <<'PY'
import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
signal.signal(signal.SIGUSR2, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_DFL)  # not python's handler, nor a background job's SIG_IGN
with open("/proc/self/status") as f:
    for line in f:
        if line.startswith(("SigBlk", "SigIgn")):
            sys.stdout.write("caller " + line)
sys.stdout.flush()
os.execv(sys.argv[1], sys.argv[1:])
PY
masked() { python3 "$WRAP" "$@"; }
# grep itself reads the status: sh (dash) would clear its own mask first.
OUT=$(masked "$CGFREEZE" run mask -- grep -E "^Sig(Blk|Ign)" /proc/self/status | sed "/^caller/!s/^/child /")
caller_blk=$(echo "$OUT" | sed -n 's/^caller SigBlk:[[:space:]]*//p')
child_blk=$(echo "$OUT" | sed -n 's/^child SigBlk:[[:space:]]*//p')
caller_ign=$(echo "$OUT" | sed -n 's/^caller SigIgn:[[:space:]]*//p')
child_ign=$(echo "$OUT" | sed -n 's/^child SigIgn:[[:space:]]*//p')
expect "the caller blocked SIGUSR1 ($caller_blk)" test $(( 0x$caller_blk & 0x200 )) != 0
expect "COMMAND gets the caller's signal mask ($child_blk = $caller_blk)" test "$child_blk" = "$caller_blk"
expect "the caller ignored SIGUSR2 ($caller_ign)" test $(( 0x$caller_ign & 0x800 )) != 0
expect "COMMAND keeps the caller's ignored signals ($child_ign = $caller_ign)" test "$child_ign" = "$caller_ign"
OUT=$(masked "$CGFREEZE" run --detach maskd -- sh -c 'true')
expect "run --detach with a blocked mask starts (pid printed)" test -n "$(echo "$OUT" | grep -v '^caller')"

# --- a signal sent with kill(1) is passed on once ------------------------------
MARK=$(mktemp)
READY=$(mktemp -u)
# SIGINT is ignored in a script's background jobs: the python wrapper resets it.
start python3 "$WRAP" "$CGFREEZE" run fwd -- sh -c "trap 'echo INT >> $MARK; exit 5' INT; touch $READY; while :; do sleep 0.01; done" > /dev/null
RUN_PID=$LAST_PID
eventually file_exists "$READY"
kill -INT "$RUN_PID"; wait "$RUN_PID"; rc=$?
expect "SIGINT by kill(1) to cgfreeze run is passed on (status $rc)" test "$rc" = 5
expect "... and COMMAND got it once ($(wc -l < "$MARK"))" test "$(wc -l < "$MARK")" = 1
rm -f "$MARK" "$READY" "$WRAP"

# A signal the caller ignores is not passed on: COMMAND runs to its end.
# COMMAND's nap is the window a wrongly passed SIGINT would end.
start "$CGFREEZE" run ign -- sh -c "touch $READY; sleep $(scaled_s 0.5); exit 4"
RUN_PID=$LAST_PID
eventually file_exists "$READY"
kill -INT "$RUN_PID"; wait "$RUN_PID"; rc=$?
expect "SIGINT ignored by the caller (a background job) is not passed on (status $rc)" test "$rc" = 4
rm -f "$READY"

# --- Ctrl-C on a terminal reaches COMMAND once ----------------------------------
# cgfreeze runs on a pty as the foreground process group with COMMAND in it;
# ^C makes the kernel send SIGINT to the whole group. A second copy from
# cgfreeze may merge with the first while both are pending, so ^C is pressed
# several times, well apart: each press must count exactly once.
PRESSES=5
COUNT=$(mktemp)
PTY_OUT=$(timeout 30 python3 - "$CGFREEZE" "$COUNT" "$PRESSES" <<'PY'
import os, pty, select, sys, time
cgfreeze, count, presses = sys.argv[1], sys.argv[2], int(sys.argv[3])
# COMMAND takes each SIGINT off its pending set as soon as it arrives (a
# signal handler would merge two that land before Python runs it).
command = ("import signal, time, sys\n"
           "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})\n"
           "n = 0\n"
           "print('ready', flush=True)\n"
           "end = time.time() + 3.0\n"
           "while time.time() < end:\n"
           "    if signal.sigtimedwait({signal.SIGINT}, 0.05): n += 1\n"
           "open(sys.argv[1], 'w').write(str(n))\n")
pid, fd = pty.fork()
if pid == 0:
    os.execv(cgfreeze, [cgfreeze, "run", "tty", "--", sys.executable, "-c", command, count])
def read_until(word, seconds):
    seen, deadline = b"", time.time() + seconds
    while word not in seen and time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try: seen += os.read(fd, 1024)
            except OSError: break
read_until(b"ready", 10)
for _ in range(presses):
    os.write(fd, b"\x03")
    read_until(b"never", 0.2)  # drain the echo while the signals land
read_until(b"never", 5)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
PY
)
expect "Ctrl-C on the terminal: cgfreeze run ends with COMMAND's status ($PTY_OUT)" test "$PTY_OUT" = 0
expect "... and COMMAND saw each of $PRESSES SIGINTs once ($(cat "$COUNT"))" test "$(cat "$COUNT")" = "$PRESSES"
rm -f "$COUNT"

# --- a job frozen while run starts: refused or run, never a hang ----------------
# The frozen-job check comes before the clone: a job frozen in between used
# to leave cgfreeze blocked, signals held, on a child that never started. Each
# round freezes the job at a random moment of the start. Soon after, no run
# may still wait on an unstarted child (its name still "cgfreeze"); a run
# that waits on a started COMMAND ends on SIGTERM (v2) or at the thaw (v1,
# where a frozen task dies only once thawed).
"$CGFREEZE" create flip
FF=$(freezer_file)
if [ "$HIER" = v2 ]; then on=1; off=0; else on=FROZEN; off=THAWED; fi
unstarted=0; stuck=0; statuses=""
for i in $(seq 1 40); do
  "$CGFREEZE" run flip -- true 2>/dev/null & rp=$!; track $rp
  sleep 0.$(printf %04d $((RANDOM % 1500)))
  echo $on > "$ROOT/flip/$FF"
  # Within 3 s (times CGJOB_TEST_TIME_SCALE: a slow or loaded CPU) no run
  # may still wait on an unstarted child.
  for j in $(seq 1 "$(scaled 300)"); do
    waiting=0
    for c in $(children_of $rp); do
      [ "$(cat /proc/$c/comm 2>/dev/null)" = cgfreeze ] && waiting=1
    done
    [ "$waiting" = 0 ] && break
    sleep 0.01
  done
  unstarted=$((unstarted + waiting))
  if kill -0 $rp 2>/dev/null; then
    kill -TERM $rp
    for j in $(seq 1 30); do kill -0 $rp 2>/dev/null || break; sleep 0.01; done
  fi
  echo $off > "$ROOT/flip/$FF"
  for j in $(seq 1 300); do kill -0 $rp 2>/dev/null || break; sleep 0.01; done
  if kill -0 $rp 2>/dev/null; then stuck=$((stuck + 1)); kill -KILL $rp; fi
  wait $rp 2>/dev/null; statuses="$statuses $?"
done
expect "run into a job frozen while it starts never waits on an unstarted child ($unstarted did)" test "$unstarted" = 0
expect "... every run ended by the thaw at the latest ($stuck did not)" test "$stuck" = 0
expect "... with 0, 1 (refused) or 143 (SIGTERM) ($statuses)" \
  test -z "$(echo $statuses | tr ' ' '\n' | grep -vx -e 0 -e 1 -e 143)"
expect "... leaving nothing in the job" eventually test "$(nprocs flip)" = 0

# Deterministic: a job frozen from above stays frozen; run is refused at once.
"$CGFREEZE" create held/inner
"$CGFREEZE" freeze held
check "run into a job whose parent is frozen is refused" 1 timeout 10 "$CGFREEZE" run held/inner -- true
expect "... with a message naming the frozen job" test -n "$ERR"
expect "... and no process in it" test "$(nprocs held/inner)" = 0
