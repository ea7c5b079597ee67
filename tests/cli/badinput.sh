#!/bin/bash
# The bad-input matrix (issue 12), against the real kernel on the hierarchy
# named by CGJOB_TEST_HIERARCHY. Data-driven: every option that takes a value,
# of every tool and subcommand, crossed with malformed values; every tool on
# hostile job names; missing jobs; job roots outside cgroupfs, at a mount root
# or not existing. Each row runs the tool once and must give the documented
# exit status (the man pages, EXIT STATUS), exactly one line on stderr that names the problem,
# nothing on stdout (where the man pages say so), and change nothing: after every row
# the job root's directories, their freeze requests and states and their
# processes, the sentinel processes (alive, same state, same cgroup) and the
# top level of the cgroup mounts are compared with the snapshot taken before.
source "$(dirname "$0")/lib.sh"
setup
shopt -s globstar dotglob nullglob  # the snapshots list directories without forking

# --- the fixture: jobs whose state any wrong action would change ----------------
# live (a sleeper, and live/sub with another), iced (FROZEN, a sleeper), empty.
"$CGFREEZE" create live/sub iced empty || { fail "create the fixture"; exit 1; }
sentinel() { local p; p=$("$CGFREEZE" run --detach "$1" -- sleep 100000) || return 1; track "$p"; echo "$p"; }
P_LIVE=$(sentinel live) && P_SUB=$(sentinel live/sub) && P_ICED=$(sentinel iced) ||
  { fail "start the sentinels"; exit 1; }
SENTINELS=("$P_LIVE" "$P_SUB" "$P_ICED")
"$CGFREEZE" --wait --timeout "$(scaled 10)" iced || { fail "freeze iced"; exit 1; }

MOUNTS=()
for h in v1 v2; do m=$(find_mount "$h"); [ -n "$m" ] && MOUNTS+=("$m"); done
use_tmpdir badinput
SCRATCH=$TMPD
MARK="$SCRATCH/ran"  # `run` rows' COMMAND creates it: a bad row must not run it

# --- snapshots, read with builtins only (rows also run in slow TCG guests) -------
# freeze_words DIR: sets WORDS to the freeze request and state of DIR.
freeze_words() {
  local a b line
  if [ "$HIER" = v1 ]; then
    read -r a < "$1/freezer.state"; read -r b < "$1/freezer.self_freezing"
    WORDS="state=$a self=$b"
  else
    read -r a < "$1/cgroup.freeze"
    while read -r line; do [[ $line == frozen* ]] && b=${line#frozen }; done < "$1/cgroup.events"
    WORDS="freeze=$a frozen=${b:-?}"
  fi
}
# snapshot: sets SNAP to everything a row must leave as it was.
snapshot() {
  local d m p procs stat state cg line
  SNAP=""
  for d in "$ROOT"/ "$ROOT"/**/; do
    d=${d%/}
    freeze_words "$d"
    mapfile -t procs < "$d/cgroup.procs"
    SNAP+="job ${d#"$ROOT"}/: $WORDS procs=${procs[*]}"$'\n'
  done
  for p in "${SENTINELS[@]}"; do
    if read -r stat < "/proc/$p/stat" 2>/dev/null; then
      state=${stat##*) }; state=${state%% *}
      cg=""
      while read -r line; do
        case $line in 0::*|*:freezer:*) cg+="$line ";; esac
      done < "/proc/$p/cgroup"
      SNAP+="sentinel $p: state=$state cgroup=$cg"$'\n'
    else
      SNAP+="sentinel $p: gone"$'\n'
    fi
  done
  [ -e "$MARK" ] && SNAP+="COMMAND of a run row ran"$'\n'
  for m in "${MOUNTS[@]}"; do
    for d in "$m"/*/; do
      d=${d%/}; d=${d##*/}
      # Other test and bench runs (this one's too) make and remove their own
      # cgroups meanwhile, named after their PID.
      [[ $d =~ ^cgjobs-(test|ktest|bench|badinput-probe|badinput-absent)-([0-9]+) ]] &&
        [ "${BASH_REMATCH[2]}" != $$ ] && continue
      SNAP+="top $m/$d"$'\n'
    done
  done
}
# A sentinel that is stopped or a zombie is no baseline to compare with.
sane_baseline() {
  local p s
  for p in "${SENTINELS[@]}"; do
    read -r s < "/proc/$p/stat" || return 1
    s=${s##*) }; s=${s%% *}
    case $s in T|t|Z|X) return 1;; esac
  done
}

# After a row changed something: put the fixture back, so that the rows after
# it are judged on their own. Only our processes, only below $ROOT.
restore_fixture() {
  local d p
  rm -f "$MARK"
  for d in "$ROOT"/**/ "$ROOT"/; do
    if [ "$HIER" = v2 ]; then echo 0 > "$d/cgroup.freeze"; else echo THAWED > "$d/freezer.state"; fi
  done 2>/dev/null
  for p in "${SENTINELS[@]}"; do
    [ -e "/proc/$p" ] || continue
    kill -CONT "$p"
    echo "$p" > "$ROOT/$(owner_of "$p")/cgroup.procs"
  done 2>/dev/null
  for d in "$ROOT"/*/; do
    d=${d%/}; d=${d##*/}
    case $d in live|iced|empty) ;; *) "$CGFREEZE" rm --kill "$d" >/dev/null 2>&1 ;; esac
  done
  "$CGFREEZE" create live/sub iced empty >/dev/null 2>&1
  [ -e "/proc/$P_LIVE" ] || { P_LIVE=$(sentinel live); }
  [ -e "/proc/$P_SUB" ] || { P_SUB=$(sentinel live/sub); }
  [ -e "/proc/$P_ICED" ] || { P_ICED=$(sentinel iced); }
  SENTINELS=("$P_LIVE" "$P_SUB" "$P_ICED")
  "$CGFREEZE" --wait --timeout "$(scaled 10)" iced >/dev/null 2>&1
  snapshot; BASELINE=$SNAP
}
owner_of() {
  case $1 in "$P_LIVE") echo live;; "$P_SUB") echo live/sub;; "$P_ICED") echo iced;; esac
}

# --- one row ------------------------------------------------------------------
# row LABEL STATUS STDOUT PATTERN [env VAR=VALUE] TOOL ARGS...
#   STATUS   the exit status the man pages document
#   STDOUT   "empty", or "any" (cgstat still reports the jobs it found)
#   PATTERN  an extended regex the one stderr line must match (what it names);
#            "-": no line at all (-q)
# Each row runs under `timeout`, in case a bad value were taken as "wait
# forever". Passing rows are counted, not listed (CGJOB_TEST_VERBOSE=1 lists them).
ROWS=0
ROW_BOUND=$(scaled 20)  # seconds
row() {
  local label=$1 want=$2 stdout_rule=$3 pattern=$4; shift 4
  local got problems=() out err
  ROWS=$((ROWS + 1))
  timeout -s KILL "$ROW_BOUND" "$@" > "$SCRATCH/out" 2> "$SCRATCH/err"; got=$?
  mapfile -t out < "$SCRATCH/out"
  mapfile -t err < "$SCRATCH/err"
  [ "$got" = "$want" ] || problems+=("status $got, wanted $want")
  if [ "$pattern" = - ]; then
    [ "${#err[@]}" = 0 ] || problems+=("${#err[@]} lines on stderr with -q, wanted none")
  elif [ "${#err[@]}" != 1 ]; then
    problems+=("${#err[@]} lines on stderr, wanted 1")
  elif ! [[ ${err[0]} =~ ^(cgfreeze|cgkill|cgstat):\  ]]; then
    problems+=("stderr does not start with the tool's name")
  elif ! [[ ${err[0]} =~ $pattern ]]; then
    problems+=("stderr does not name the problem (/$pattern/)")
  fi
  [ "$stdout_rule" = empty ] && [ -s "$SCRATCH/out" ] && problems+=("stdout not empty (${#out[@]} lines)")
  snapshot
  if [ "$SNAP" != "$BASELINE" ]; then
    problems+=("changed: $(diff <(echo "$BASELINE") <(echo "$SNAP") | grep '^[<>]' | tr '\n' ';')")
  fi
  if [ "${#problems[@]}" = 0 ]; then
    PASSED=$((PASSED + 1))
    [ -n "${CGJOB_TEST_VERBOSE:-}" ] && echo "ok - $label"  # 600 rows: said only when asked
    return 0
  fi
  local shown; shown=$(printf '%s\n' "${err[@]}" | head -c 300 | cat -v | tr '\n' '|')
  fail "$label: $(IFS=';'; echo "${problems[*]}") [stderr: $shown]"
  [ "$SNAP" != "$BASELINE" ] && restore_fixture
  return 1
}

snapshot; BASELINE=$SNAP
sane_baseline || { fail "the sentinels are not running: $BASELINE"; exit 1; }

# The snapshot sees each kind of change a row could make (else a row could
# pass by looking away): a new job, a freeze request, a stopped or moved
# sentinel, a new cgroup at a mount's top level. Each is undone at once.
sees() {
  local what=$1; shift
  "$@"; snapshot
  if [ "$SNAP" != "$BASELINE" ]; then pass "the snapshot sees $what"; else fail "the snapshot misses $what"; fi
}
sees "a new job" mkdir "$ROOT/probe"; rmdir "$ROOT/probe"
request() {  # request DIR freeze|thaw, written straight to the kernel
  local word
  if [ "$HIER" = v2 ]; then word=$([ "$2" = freeze ] && echo 1 || echo 0)
  else word=$([ "$2" = freeze ] && echo FROZEN || echo THAWED); fi
  echo "$word" > "$1/$(freezer_file)"
}
stop_live() { kill -STOP "$P_LIVE"; eventually eval '! sane_baseline'; }
sees "a freeze request" request "$ROOT/empty" freeze; request "$ROOT/empty" thaw
sees "a stopped sentinel" stop_live; kill -CONT "$P_LIVE"
sees "a moved sentinel" eval 'echo "$P_LIVE" > "$ROOT/empty/cgroup.procs"'; echo "$P_LIVE" > "$ROOT/live/cgroup.procs"
PROBE="$MOUNT/cgjobs-badinput-probe-$$"
sees "a new cgroup at the mount's top level" mkdir "$PROBE"; rmdir "$PROBE"
eventually sane_baseline
snapshot
[ "$SNAP" = "$BASELINE" ] || { fail "the fixture is not back as it was: $(diff <(echo "$BASELINE") <(echo "$SNAP"))"; exit 1; }

# --- the malformed values ---------------------------------------------------------
LONG=$(printf 'x%.0s' {1..4096})
VALUE_NAMES=(empty blank negative huge non-numeric non-utf8 control long)
declare -A VALUE=(
  [empty]=''
  [blank]=' '
  [negative]='-1'
  [huge]='99999999999999999999'
  [non-numeric]='abc'
  [non-utf8]=$'\xff\xfe'
  [control]=$'1\n\e[31m'
  [long]="$LONG"
)

# --- every option that takes a value -----------------------------------------------
# TOOL-AND-OPTION | ARGUMENTS AFTER THE VALUE (the fixture job a wrong run would
# change). Common options (--hierarchy, --root) are rows of each tool. Each
# is tried as "--opt VALUE", and long ones also as "--opt=VALUE" (see below).
OPTIONS=(
  "cgfreeze freeze --timeout|--wait live"
  "cgfreeze --timeout|live"
  "cgfreeze thaw --timeout|--wait iced"
  "cgfreeze rm --timeout|--kill live"
  "cgfreeze create --pid|new"
  "cgfreeze --hierarchy|thaw iced"
  "cgfreeze --root|thaw iced"
  "cgkill -s|live"
  "cgkill --signal|live"
  "cgkill -n|live"
  "cgkill --timeout|--wait live"
  "cgkill --escalate|live"
  "cgkill --hierarchy|live"
  "cgkill --root|live"
  "cgstat -o|live"
  "cgstat --output|live"
  "cgstat --watch --timeout|live"
  "cgstat --hierarchy|live"
  "cgstat --root|live"
)
# (Lookups in arrays, not $(...): each row forks only the tool and its timeout.)
declare -A BIN_OF=([cgfreeze]=$CGFREEZE [cgkill]=$CGKILL [cgstat]=$CGSTAT)

# What the one error line must name for an option: the option (the default),
# or the kind of value it takes ("invalid PID '-1'", "unknown column 'abc'").
declare -A NAMES_PROBLEM=(
  [--pid]='PID|--pid' [--hierarchy]='hierarchy' [--root]='root|--root'
  [-s]='signal|-s' [--signal]='signal|--signal' [-n]='signal|-n'
  [-o]='column|-o' [--output]='column|--output'
)
# "--opt=VALUE" goes through other code than "--opt VALUE" only where the
# value is empty or holds what a shell or a parser might split.
EQUALS_VALUES=" empty blank control "

for entry in "${OPTIONS[@]}"; do
  head=${entry%%|*}; tail=${entry#*|}
  read -ra words <<< "$head"
  tool=${words[0]}; opt=${words[-1]}; before=("${words[@]:1:${#words[@]}-2}")
  read -ra after <<< "$tail"
  for v in "${VALUE_NAMES[@]}"; do
    val=${VALUE[$v]}
    pattern=${NAMES_PROBLEM[$opt]:-$opt}
    row "$head <$v> $tail" 2 empty "$pattern" "${BIN_OF[$tool]}" "${before[@]}" "$opt" "$val" "${after[@]}"
    if [[ $opt == --* && $EQUALS_VALUES == *" $v "* ]]; then
      row "$head=<$v> $tail" 2 empty "$pattern" "${BIN_OF[$tool]}" "${before[@]}" "$opt=$val" "${after[@]}"
    fi
  done
done

# The environment counterparts of the common options. An empty variable counts
# as unset (inputs.sh checks that), so the empty value is left out here.
for v in "${VALUE_NAMES[@]}"; do
  [ "$v" = empty ] && continue
  val=${VALUE[$v]}
  row "CGJOB_HIERARCHY=<$v> cgfreeze thaw iced" 2 empty 'CGJOB_HIERARCHY|hierarchy' \
    env CGJOB_HIERARCHY="$val" "$CGFREEZE" thaw iced
  row "CGJOB_ROOT=<$v> cgkill live" 2 empty 'CGJOB_ROOT|root' env CGJOB_ROOT="$val" "$CGKILL" live
done

# PIDs given as arguments: add's positional PID.
for v in "${VALUE_NAMES[@]}"; do
  val=${VALUE[$v]}
  row "cgfreeze add live <$v>" 2 empty 'PID|unknown option' "$CGFREEZE" add live "$val"
  row "cgfreeze add --create new <$v>" 2 empty 'PID|unknown option' "$CGFREEZE" add --create new "$val"
done
row "cgfreeze add live 0" 2 empty 'PID' "$CGFREEZE" add live 0
row "cgfreeze create --pid 0 new" 2 empty 'PID' "$CGFREEZE" create --pid 0 new
# Well-formed PIDs that are bad input all the same (man page: exit 2): one
# that names no process, and a kernel thread (kthreadd, PID 2).
NOPID=$(free_pid)
row "cgfreeze add live NOPID" 2 empty "$NOPID" "$CGFREEZE" add live "$NOPID"
row "cgfreeze create --pid NOPID new" 2 empty "$NOPID" "$CGFREEZE" create --pid "$NOPID" new
if read -r stat < /proc/2/stat && [[ $stat == "2 (kthreadd)"* ]]; then
  row "cgfreeze add live 2 (a kernel thread)" 2 empty 'kernel thread' "$CGFREEZE" add live 2
  row "cgfreeze create --pid 2 new" 2 empty 'kernel thread' "$CGFREEZE" create --pid 2 new
fi

# cgkill's -SIGNAL form and -l's SIGNAL arguments.
for v in huge non-numeric; do
  row "cgkill -<$v> live" 2 empty "signal|-${VALUE[$v]}" "$CGKILL" "-${VALUE[$v]}" live
done
row "cgkill -65 live (no such signal)" 2 empty '65' "$CGKILL" -65 live
row "cgkill -l <non-numeric>" 2 empty 'abc' "$CGKILL" -l abc
row "cgkill -l <huge>" 2 empty 'signal' "$CGKILL" -l "${VALUE[huge]}"

# Flags given a value they cannot take.
row "cgfreeze freeze --wait=maybe live" 2 empty 'wait' "$CGFREEZE" freeze --wait=maybe live
row "cgkill --wait=<long> live" 2 empty 'wait' "$CGKILL" --wait="$LONG" live
row "cgstat --json=<non-utf8>" 2 empty 'json' "$CGSTAT" --json="${VALUE[non-utf8]}"
row "cgfreeze run live -- (no COMMAND)" 2 empty 'COMMAND|command' "$CGFREEZE" run live --

# -q: the same status, nothing changed, and no message at all (the man pages),
# also for errors found before or while the command line is read.
row "cgfreeze -q --timeout '' live" 2 empty - "$CGFREEZE" -q --timeout '' live
row "cgfreeze -q --timeout abc live" 2 empty - "$CGFREEZE" -q --timeout abc live
row "cgfreeze --bogus -q live" 2 empty - "$CGFREEZE" --bogus -q live
row "cgfreeze -q thaw -9" 2 empty - "$CGFREEZE" -q thaw -9
row "cgfreeze thaw --quiet <newline>" 2 empty - "$CGFREEZE" thaw --quiet $'a\nb'
row "cgfreeze -q thaw MISSING" 3 empty - "$CGFREEZE" -q thaw "nosuch-$$"
row "cgkill -qv -s abc live" 2 empty - "$CGKILL" -qv -s abc live
row "cgkill -q --root /tmp live" 2 empty - "$CGKILL" -q --root /tmp live
row "cgstat -q -o abc" 2 empty - "$CGSTAT" -q -o abc
row "cgstat --watch --timeout abc -q" 2 empty - "$CGSTAT" --watch --timeout abc -q
row "cgstat -q MISSING" 3 any - "$CGSTAT" -q "nosuch-$$"

# --- job roots that are no job root ---------------------------------------------
# Outside cgroupfs, at a mount root, not existing (outside and inside cgroupfs).
ROOTS=(
  "/tmp|cgroup|2"
  "$MOUNT|mount root|2"
  "$MOUNT/|mount root|2"
  "/nonexistent-badinput-$$|nonexistent-badinput|2"
)
for entry in "${ROOTS[@]}"; do
  IFS='|' read -r r pattern want <<< "$entry"
  row "cgfreeze --root $r thaw iced" "$want" empty "$pattern" "$CGFREEZE" --root "$r" thaw iced
  row "cgfreeze --root $r create new" "$want" empty "$pattern" "$CGFREEZE" --root "$r" create new
  row "cgkill --root $r live" "$want" empty "$pattern" "$CGKILL" --root "$r" live
  row "cgstat --root $r" "$want" empty "$pattern" "$CGSTAT" --root "$r"
done
# A root inside cgroupfs that does not exist yet: only create makes it (on
# first use); every other command leaves it absent.
NOROOT="$MOUNT/cgjobs-badinput-absent-$$"
row "cgfreeze --root ABSENT thaw x" 3 empty 'x' "$CGFREEZE" --root "$NOROOT" thaw x
row "cgfreeze --root ABSENT rm x" 3 empty 'x' "$CGFREEZE" --root "$NOROOT" rm x
row "cgkill --root ABSENT -0 x" 3 empty 'x' "$CGKILL" --root "$NOROOT" -0 x
row "cgstat --root ABSENT x" 3 any 'x' "$CGSTAT" --root "$NOROOT" x
# A root on the other hierarchy than --hierarchy asks for.
OTHER=$([ "$HIER" = v1 ] && echo v2 || echo v1)
if [ -n "$(find_mount "$OTHER")" ]; then
  row "cgfreeze --hierarchy $OTHER --root ROOT thaw iced" 2 empty 'hierarch|v1|v2' \
    "$CGFREEZE" --hierarchy "$OTHER" --root "$ROOT" thaw iced
  row "cgkill --hierarchy $OTHER --root ROOT live" 2 empty 'hierarch|v1|v2' \
    "$CGKILL" --hierarchy "$OTHER" --root "$ROOT" live
fi

# --- hostile job names --------------------------------------------------------------
# NAME[label]=the JOB argument. Names that escapes() lists would leave the job
# root if a tool took them literally (.., /): with those, no row sends a real
# signal or kills, so that a regression could never reach the host's processes
# (cgkill -0 and plain rm still check them).
declare -A NAME=(
  [ctrl-char]=$'a\x01b'
  [escape-seq]=$'a\e[31mb'
  [tab]=$'a\tb'
  [newline]=$'a\nb'
  [300-bytes]=$(printf 'n%.0s' {1..300})
  [non-utf8]=$'a\xff\xfe'
  [empty]=''
  [dot]='.'
  [dotdot]='..'
  [cgroup.kill]='cgroup.kill'
  [cgroup.procs]='cgroup.procs'
  [live/cgroup.freeze]='live/cgroup.freeze'
  [freezer.state]='freezer.state'
  [tasks]='tasks'
  [a/../b]='a/../b'
  [live/..]='live/..'
  [live//sub]='live//sub'
  [.hidden]='.hidden'
  [slash]='/'
  [slash-dotdot]='/..'
  [double-slash]='//'
  [mount-root]="$MOUNT"
  [root/../..]="$ROOT/../.."
)
NAME_ORDER=(ctrl-char escape-seq tab newline 300-bytes non-utf8 empty dot dotdot cgroup.kill cgroup.procs
            live/cgroup.freeze freezer.state tasks a/../b live/.. live//sub .hidden slash slash-dotdot
            double-slash mount-root root/../..)
escapes() { case $1 in dotdot|live/..|slash|slash-dotdot|double-slash|mount-root|root/../..) return 0;; esac; return 1; }
# What the error line says: the name is invalid, or the mount root refused.
NAME_PATTERN='job name|mount root|not allowed|component|control file'

# fill NAME COMMAND: sets TOOL and ARGS to COMMAND ("cgfreeze add @ 42")
# with NAME in place of @ (NAME may hold blanks and newlines: it stays one
# argument).
fill() {
  local w words
  read -ra words <<< "$2"
  TOOL=${BIN_OF[${words[0]}]}
  ARGS=()
  for w in "${words[@]:1}"; do if [ "$w" = @ ]; then ARGS+=("$1"); else ARGS+=("$w"); fi; done
}

# Each command, with @ where the name goes.
NAME_COMMANDS=(
  "cgfreeze freeze @"
  "cgfreeze @"
  "cgfreeze thaw --wait @"
  "cgfreeze create @"
  "cgfreeze add @ $P_LIVE"
  "cgfreeze run @ -- touch $MARK"
  "cgfreeze rm @"
  "cgfreeze rm --kill @"
  "cgkill @"
  "cgkill -0 @"
  "cgstat @"
  "cgstat --watch --timeout 1 @"
)
for n in "${NAME_ORDER[@]}"; do
  for cmd in "${NAME_COMMANDS[@]}"; do
    if escapes "$n"; then
      [[ $cmd == "cgkill @" || $cmd == *"rm --kill"* ]] && continue
    fi
    fill "${NAME[$n]}" "$cmd"
    row "${cmd/@/<$n>}" 2 empty "$NAME_PATTERN" "$TOOL" "${ARGS[@]}"
  done
done

# Names that look like options: taken as (unknown) options, never as jobs.
for cmd in "cgfreeze freeze @" "cgfreeze thaw @" "cgfreeze create @" "cgfreeze rm --kill @" \
           "cgfreeze run @ -- touch $MARK"; do
  for n in -9 --json; do
    fill "$n" "$cmd"
    row "${cmd/@/$n}" 2 empty "$n|JOB|COMMAND" "$TOOL" "${ARGS[@]}"
  done
done
row "cgkill -9 (a signal, then no JOB)" 2 empty 'JOB' "$CGKILL" -9
row "cgkill --json" 2 empty 'json' "$CGKILL" --json
row "cgstat -9" 2 empty '9' "$CGSTAT" -9

# --- missing jobs: exit 3, one line naming the job, nothing created ----------------
MISSING=("nosuch-$$" "live/nosuch-$$" "/nosuch-badinput-$$" "$ROOT/nosuch-$$")
for m in "${MISSING[@]}"; do
  for cmd in "cgfreeze freeze --wait @" "cgfreeze thaw @" "cgfreeze add @ $P_LIVE" "cgfreeze rm @" \
             "cgfreeze rm --kill @" "cgkill @" "cgkill -0 @" "cgstat @" "cgstat --watch --timeout 1 @"; do
    fill "$m" "$cmd"
    stdout=empty
    [[ $cmd == "cgstat @" ]] && stdout=any  # cgstat(1): the jobs that were found are still listed
    row "${cmd/@/$m}" 3 "$stdout" "nosuch" "$TOOL" "${ARGS[@]}"
  done
  # Absolute JOBs are never created implicitly.
  if [[ $m == /* ]]; then
    row "cgfreeze create $m" 3 empty "nosuch" "$CGFREEZE" create "$m"
    row "cgfreeze run $m -- touch MARK" 3 empty "nosuch" "$CGFREEZE" run "$m" -- touch "$MARK"
  fi
done

echo "$ROWS rows"
