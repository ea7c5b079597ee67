# Shared by removed.sh and removed_stuck.sh (sourced after lib.sh): what
# "someone else" does to a job, and how a tool must end when it does.
exited() { ! kill -0 "$1" 2>/dev/null; }
gone() { [ ! -d "$ROOT/$1" ]; }
empty() { [ -z "$(procs_of "$1")" ]; }
file_has() { grep -q "$2" "$1" 2>/dev/null; }

# What "someone else" does, directly, without the tools and their locks:
# moves the job's processes out (to the test's root, where they are killed),
# then rmdirs the job. The job's freeze request is never touched, so the tool
# sees the job vanish, not a thaw.
remove_behind_our_back() {
  local d="$ROOT/$1" i p
  for i in $(seq 1 "$(scaled 100)"); do
    for p in $(procs_of "$1"); do echo "$p" > "$ROOT/cgroup.procs" 2>/dev/null; done
    rmdir "$d" 2>/dev/null && break
    sleep 0.05
  done
  # The moved processes: killed where they are now (a FUSE-stuck one dies
  # once the connection is aborted: end_stall).
  for p in $(grep -v '^0$' "$ROOT/cgroup.procs"); do kill -KILL "$p" 2>/dev/null; done
  [ ! -d "$d" ]
}
# Runs TOOL ARGS... in the background with stderr and status to $TMPD/NAME.*
start_tool() {
  local name=$1; shift
  ( "$@" > "$TMPD/$name.out" 2> "$TMPD/$name.err"; echo $? > "$TMPD/$name.rc" ) &
  track $!
}
finished() { [ -s "$TMPD/$1.rc" ]; }
# The tool's end: status in the allowed set, every stderr line one of its own
# naming the job, and the job not recreated.
check_end() {
  local name=$1 job=$2 allowed=$3 tool=$4
  expect "$name: ends (bounded) once the job is gone" eventually finished "$name"
  local rc; rc=$(cat "$TMPD/$name.rc" 2>/dev/null)
  if [[ " $allowed " == *" $rc "* ]]; then pass "$name: status $rc"
  else fail "$name: status '$rc', wanted one of $allowed; stderr: $(cat "$TMPD/$name.err")"; fi
  sed "s/^/# $name (status $(cat "$TMPD/$name.rc" 2>/dev/null)) said: /" "$TMPD/$name.err"
  if [ "$rc" != 0 ]; then
    expect "$name: a message names the job and says it is gone" \
      grep -Eq "^$tool: $job: [^(]*(No such file or directory|No such device|gone|no such job)" "$TMPD/$name.err"
  fi
  expect "$name: no line but the tool's own (no crash, no trace)" \
    bash -c "! grep -qv '^$tool: ' '$TMPD/$name.err'"
  quiet_for 0.2
  expect "$name: the job is not recreated" gone "$job"
}

