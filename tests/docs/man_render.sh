#!/bin/bash
# Usage: man_render.sh PAGE VERSION
# The page renders with groff -man -ww and with `man --warnings -l` without a
# single warning, and its .TH line names VERSION.
set -u
page=$1 version=$2

source "${BASH_SOURCE[0]%/*}/../support/skip.sh"  # skip REASON
fail() { echo "FAIL: $*"; status=1; }

command -v groff >/dev/null || skip "groff is not installed"
[[ -r $page ]] || { echo "FAIL: no page $page"; exit 1; }
status=0

err=$(groff -man -ww -z "$page" 2>&1 >/dev/null)
[[ -z $err ]] || fail "groff -man -ww -z $page:"$'\n'"$err"

if command -v man >/dev/null; then
    err=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    [[ -z $err ]] || fail "man --warnings -l $page:"$'\n'"$err"
else
    echo "note: man is not installed; only groff was checked"
fi

th=$(grep -m1 '^\.TH ' "$page")
[[ $th == *"cgjob $version"* ]] || fail "$page: .TH does not name cgjob $version: $th"

# The sections the pages promise.
sections=(NAME SYNOPSIS DESCRIPTION OPTIONS STATES "EXIT STATUS" ENVIRONMENT
    EXAMPLES NOTES "SEE ALSO")
for section in "${sections[@]}"; do
    grep -qxE "\.SH (\"$section\"|$section)" "$page" || fail "$page: no section $section"
done
for word in THAWED FREEZING FROZEN CGJOB_HIERARCHY CGJOB_ROOT; do
    grep -q "$word" "$page" || fail "$page: $word is not mentioned"
done

((status == 0)) && echo "ok: $page"
exit $status
