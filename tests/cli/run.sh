# cgfreeze run: COMMAND gets the caller's world (limits, signal mask, ignored
# signals), signals reach it once, and a job frozen while run starts never
# hangs it. On the hierarchy named by CGJOB_TEST_HIERARCHY.
source "$(dirname "$0")/lib.sh"
setup
command -v python3 >/dev/null || skip "python3 is needed to set signal masks and drive a pty"

# --- the caller's soft limit on open files ------------------------------------
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -gt 256 ]; then
  OUT=$(ulimit -Sn 256; "$CGFREEZE" run lim -- sh -c 'ulimit -Sn'); rc=$?
  expect "run keeps the caller's soft RLIMIT_NOFILE (got '$OUT', status $rc)" test "$OUT" = 256
  LIM=$(mktemp -u)
  (ulimit -Sn 256; "$CGFREEZE" run --detach lim -- sh -c "ulimit -Sn > $LIM.tmp; mv $LIM.tmp $LIM" > /dev/null)
  for i in $(seq 1 500); do [ -e "$LIM" ] && break; sleep 0.01; done
  expect "... run --detach too ($(cat "$LIM" 2>/dev/null))" test "$(cat "$LIM" 2>/dev/null)" = 256
  rm -f "$LIM"
else
  echo "SKIP: hard RLIMIT_NOFILE $hard too low to tell a raised soft limit"
fi

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
for i in $(seq 1 500); do [ -e "$READY" ] && break; sleep 0.01; done
kill -INT "$RUN_PID"; wait "$RUN_PID"; rc=$?
expect "SIGINT by kill(1) to cgfreeze run is passed on (status $rc)" test "$rc" = 5
expect "... and COMMAND got it once ($(wc -l < "$MARK"))" test "$(wc -l < "$MARK")" = 1
rm -f "$MARK" "$READY" "$WRAP"

# A signal the caller ignores is not passed on: COMMAND runs to its end.
start "$CGFREEZE" run ign -- sh -c "touch $READY; sleep 0.5; exit 4"
RUN_PID=$LAST_PID
for i in $(seq 1 500); do [ -e "$READY" ] && break; sleep 0.01; done
kill -INT "$RUN_PID"; wait "$RUN_PID"; rc=$?
expect "SIGINT ignored by the caller (a background job) is not passed on (status $rc)" test "$rc" = 4
rm -f "$READY"

# --- Ctrl-C on a terminal reaches COMMAND once ----------------------------------
# cgfreeze runs on a pty as the foreground process group with COMMAND in it;
# ^C makes the kernel send SIGINT to the whole group.
COUNT=$(mktemp)
PTY_OUT=$(timeout 20 python3 - "$CGFREEZE" "$COUNT" <<'PY'
import os, pty, select, sys, time
cgfreeze, count = sys.argv[1], sys.argv[2]
command = ("import signal, time, sys\n"
           "n = 0\n"
           "def on_int(*a):\n"
           "    global n; n += 1\n"
           "signal.signal(signal.SIGINT, on_int)\n"
           "print('ready', flush=True)\n"
           "end = time.time() + 1.0\n"
           "while time.time() < end: time.sleep(0.01)\n"
           "open(sys.argv[1], 'w').write(str(n))\n")
pid, fd = pty.fork()
if pid == 0:
    os.execv(cgfreeze, [cgfreeze, "run", "tty", "--", sys.executable, "-c", command, count])
seen = b""
deadline = time.time() + 10
while b"ready" not in seen and time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        try: seen += os.read(fd, 1024)
        except OSError: break
os.write(fd, b"\x03")
while True:
    try:
        if not os.read(fd, 1024): break
    except OSError: break
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
PY
)
expect "Ctrl-C on the terminal: cgfreeze run ends with COMMAND's status ($PTY_OUT)" test "$PTY_OUT" = 0
expect "... and COMMAND saw SIGINT once, not twice ($(cat "$COUNT"))" test "$(cat "$COUNT")" = 1
rm -f "$COUNT"

# --- a job frozen while run starts: refused or run, never a hang ----------------
# The frozen-job check comes before the clone; a freezer flipping the job
# races with it. Each run must end (status 0, or 1 refused), none hang.
"$CGFREEZE" create flip
FF=$(freezer_file)
if [ "$HIER" = v2 ]; then on=1; off=0; else on=FROZEN; off=THAWED; fi
( while :; do echo $on > "$ROOT/flip/$FF"; sleep 0.001; echo $off > "$ROOT/flip/$FF"; sleep 0.002; done ) &
FLIPPER=$!; track $FLIPPER
hung=0; ran=0; refused=0; other=""
for i in $(seq 1 60); do
  timeout -s KILL 10 "$CGFREEZE" run flip -- true 2>/dev/null; rc=$?
  case $rc in 0) ran=$((ran + 1));; 1) refused=$((refused + 1));; 137) hung=$((hung + 1));; *) other="$other $rc";; esac
done
kill "$FLIPPER"; wait "$FLIPPER" 2>/dev/null
echo $off > "$ROOT/flip/$FF"
expect "run into a job being frozen and thawed never hangs ($ran ran, $refused refused, $hung hung)" test "$hung" = 0
expect "... and ends with 0 or 1 only ($other)" test -z "$other"
expect "... leaving nothing in the job" eventually test "$(nprocs flip)" = 0

# Deterministic: a job frozen from above stays frozen; run is refused at once.
"$CGFREEZE" create held/inner
"$CGFREEZE" freeze held
check "run into a job whose parent is frozen is refused" 1 timeout 10 "$CGFREEZE" run held/inner -- true
expect "... with a message naming the frozen job" test -n "$ERR"
expect "... and no process in it" test "$(nprocs held/inner)" = 0
