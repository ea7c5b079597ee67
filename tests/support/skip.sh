# The one skip of the shell tests (tests/cli, tests/docs, tests/vm), sourced
# by their helpers. A check that cannot run here says why on stderr and exits
# 77, which CTest (SKIP_RETURN_CODE 77) and scripts/vm/guest-tests.sh count as
# skipped, never as passed.
#
# CGJOB_TEST_STRICT=1 (CI, where scripts/install-deps.sh test has installed
# every prerequisite) makes every skip a failure: exit 1, with the reason.
# A skip there means a broken set-up, and would hide the checks it drops.
skip() {
  if [ "${CGJOB_TEST_STRICT:-0}" = 1 ]; then
    echo "FAIL: would skip, but CGJOB_TEST_STRICT=1: $*" >&2
    exit 1
  fi
  echo "SKIP: $*" >&2
  exit 77
}
