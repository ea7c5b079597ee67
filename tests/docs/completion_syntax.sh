#!/bin/bash
# Usage: completion_syntax.sh bash|zsh|fish COMPLETIONS_DIR
# The completion files of that shell parse (bash -n, zsh -n, fish -n), and the
# helpers that each file carries for itself are the same in all three.
set -u
source "${BASH_SOURCE[0]%/*}/../support/skip.sh"  # skip REASON
shell=$1 dir=$2
tools=(cgfreeze cgkill cgstat)

case $shell in
    bash) files=("${tools[@]/#/$dir/bash/}") ;;
    zsh) files=("${tools[@]/#/$dir/zsh/_}") ;;
    fish) files=("${tools[@]/#/$dir/fish/}"); files=("${files[@]/%/.fish}") ;;
    *) echo "FAIL: unknown shell $shell"; exit 1 ;;
esac

command -v "$shell" >/dev/null || skip "$shell is not installed"

status=0
for f in "${files[@]}"; do
    if [[ ! -r $f ]]; then
        echo "FAIL: $f is missing"
        status=1
        continue
    fi
    if out=$("$shell" -n "$f" 2>&1) && [[ -z $out ]]; then
        echo "ok: $shell -n $f"
    else
        echo "FAIL: $shell -n $f:"
        echo "$out"
        status=1
    fi
done

# The shared block runs from the "--- ... helpers" line to "--- end of".
helpers() { sed -n '/^# --- _*cgjob helpers/,/^# --- end of _*cgjob helpers ---$/p' "$1" | sed 1d; }
first=$(helpers "${files[0]}")
[[ -n $first ]] || { echo "FAIL: no shared helper block in ${files[0]}"; status=1; }
for f in "${files[@]:1}"; do
    if [[ $(helpers "$f") != "$first" ]]; then
        echo "FAIL: the shared helpers of $f differ from those of ${files[0]}:"
        diff <(echo "$first") <(helpers "$f")
        status=1
    fi
done

# Job names come from the tools, never from a cgroup path written here.
if grep -n '/sys/fs/cgroup' "${files[@]}"; then
    echo "FAIL: a completion file hard-codes a cgroup path"
    status=1
fi

exit $status
