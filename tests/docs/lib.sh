# Helpers shared by the tests/docs scripts (sourced, not run).

status=0 failures=0
source "${BASH_SOURCE[0]%/*}/../support/skip.sh"  # skip REASON
fail() { echo "FAIL: $*"; status=1; failures=$((failures + 1)); }

# Creates a job root of our own, `cgjobs-test-<pid>-<tag>`, directly below a
# cgroup mount found in /proc/self/mountinfo: the cgroup2 mount when its
# cgroups have cgroup.freeze, else the v1 mount with the freezer controller.
# Sets $root, and arranges for the root and everything below it (and nothing
# else) to be removed, deepest first, when the script exits.
make_test_root() {
    local tag=$1 mountpoint fstype superopts candidate
    ((EUID == 0)) || skip "not root: cannot create cgroups"
    [[ -r /proc/self/mountinfo ]] || skip "no /proc/self/mountinfo"
    root=
    # mountinfo: id parent dev root mountpoint opts [tags...] - fstype source superopts
    while read -r mountpoint fstype superopts; do
        candidate=$mountpoint/cgjobs-test-$$-$tag
        case $fstype in
            cgroup2) ;;
            cgroup) [[ ,$superopts, == *,freezer,* ]] || continue ;;
            *) continue ;;
        esac
        mkdir "$candidate" 2>/dev/null || continue
        if [[ $fstype == cgroup2 && ! -e $candidate/cgroup.freeze ]]; then
            rmdir "$candidate"
            continue
        fi
        root=$candidate
        break
    done < <(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break;
                    m = $5; gsub(/\\040/, " ", m);
                    print m, $(i + 1), $(i + 3) }' /proc/self/mountinfo |
             sort -k2,2r)  # cgroup2 before cgroup
    [[ -n $root ]] || skip "no cgroup mount with a freezer where a cgroup can be made"
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
