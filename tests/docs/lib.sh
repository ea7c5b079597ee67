# Helpers shared by the tests/docs scripts (sourced, not run).

status=0 failures=0
source "${BASH_SOURCE[0]%/*}/../support/skip.sh"  # skip REASON
source "${BASH_SOURCE[0]%/*}/../support/mounts.sh"  # tool_mount CGSTAT HIER
fail() { echo "FAIL: $*"; status=1; failures=$((failures + 1)); }

# Creates a job root of our own, `cgjobs-test-<pid>-<tag>`, directly below
# the cgroup mount the tools pick by themselves (cgstat, found in PATH:
# use_tools). Sets $root, and arranges for the root and everything below it
# (and nothing else) to be removed, deepest first, when the script exits.
make_test_root() {
    local tag=$1 mount
    ((EUID == 0)) || skip "not root: cannot create cgroups"
    mount=$(tool_mount cgstat auto)
    [[ -n $mount ]] || skip "no cgroup mount with a freezer"
    root=$mount/cgjobs-test-$$-$tag
    mkdir "$root" || skip "cannot make a cgroup in $mount"
    trap remove_test_root EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    echo "job root: $root"
}

remove_test_root() {
    [[ -n ${root-} && -d $root ]] || return 0
    # Deepest first; only below our own root.
    find "$root" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
    rmdir "$root" || echo "warning: could not remove $root"
}

# Puts the directories of the given binaries first in PATH, so that the
# completions find the tools under test.
use_tools() {
    local t
    for t in "$@"; do
        [[ -x $t ]] || { echo "FAIL: $t is not an executable"; exit 1; }
        PATH=$(cd "$(dirname "$t")" && pwd):$PATH
    done
    export PATH
    unset CGJOB_ROOT CGJOB_HIERARCHY
}

# expect_has "WHAT" "LIST" WORD...: each WORD is a line of LIST.
expect_has() {
    local what=$1 list=$2 w
    shift 2
    for w in "$@"; do
        if ! grep -qxF -- "$w" <<<"$list"; then
            fail "$what: '$w' missing from: $(tr '\n' ' ' <<<"$list")"
            return
        fi
    done
    echo "ok: $what"
}

# expect_lacks "WHAT" "LIST" WORD...: no WORD is a line of LIST.
expect_lacks() {
    local what=$1 list=$2 w
    shift 2
    for w in "$@"; do
        if grep -qxF -- "$w" <<<"$list"; then
            fail "$what: '$w' should not be offered: $(tr '\n' ' ' <<<"$list")"
            return
        fi
    done
    echo "ok: $what"
}
