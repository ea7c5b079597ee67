#!/bin/bash
# A job removed by someone else while `cgfreeze freeze --wait` waits on it
# (issue 12), on the hierarchy named by CGJOB_TEST_HIERARCHY: a job that
# cannot freeze, made with a FUSE mount that never answers
# (helpers/fuse_stall.py). Without FUSE this test is skipped (exit 77, the
# reason on stderr); the other tools' side is removed.sh.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/helpers/removed.sh"
setup
use_tmpdir removed-stuck
need_stall "$TMPD"

# --- 1. freeze --wait on a job that cannot freeze -----------------------------
run_in stuck sleep 1000
run_in stuck stat "$STALL_MNT/x"
eventually has_procs stuck 2
expect "a task of the job waits on the stalled mount" eventually stuck_on_stall "$PID"
start_tool fz-stuck "$CGFREEZE" freeze --wait --timeout 30 stuck
quiet_for 0.5
expect "freeze --wait on a stuck job is still waiting" test ! -s "$TMPD/fz-stuck.rc"
# The stuck task wakes when killed: a fatal signal ends the FUSE wait.
expect "someone else removes the stuck job" remove_behind_our_back stuck
# An emptied job is FROZEN at once: the wait may end with 0 in the moment
# between the move and the rmdir (fault_injection_test.cpp fails each read
# with ENODEV/ENOENT deterministically instead).
check_end fz-stuck stuck "0 1 3" cgfreeze
end_stall
