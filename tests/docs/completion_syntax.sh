#!/bin/bash
# Usage: completion_syntax.sh bash|zsh|fish COMPLETIONS_DIR
# The completion files of that shell parse (bash -n, zsh -n, fish -n), and the
# helpers the three tools share are the same in each bash and zsh file; fish
# autoloads them, one function a file, from fish/functions/.
set -u
source "${BASH_SOURCE[0]%/*}/../support/skip.sh"  # skip REASON
shell=$1 dir=$2
tools=(cgfreeze cgkill cgstat)

case $shell in
    bash) files=("${tools[@]/#/$dir/bash/}") ;;
    zsh) files=("${tools[@]/#/$dir/zsh/_}") ;;
    fish) files=("${tools[@]/#/$dir/fish/}"); files=("${files[@]/%/.fish}")
          functions=("$dir"/fish/functions/*.fish) ;;
    *) echo "FAIL: unknown shell $shell"; exit 1 ;;
esac

command -v "$shell" >/dev/null || skip "$shell is not installed"

status=0
for f in "${files[@]}" ${functions[@]+"${functions[@]}"}; do
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

if [[ $shell == fish ]]; then
    # fish autoloads NAME from NAME.fish, so each file defines just NAME, and
    # no completion file defines a shared helper again.
    for f in "${functions[@]}"; do
        name=${f##*/} name=${name%.fish}
        defined=$(sed -n 's/^function \([^ ]*\).*/\1/p' "$f")
        if [[ $defined != "$name" ]]; then
            echo "FAIL: $f defines '${defined//$'\n'/ }', not just $name"
            status=1
        fi
    done
    if grep -n '^function __cgjob_' "${files[@]}"; then
        echo "FAIL: a fish completion defines a shared helper of its own"
        status=1
    fi
else
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
fi

# Job names come from the tools, never from a cgroup path written here.
if grep -n '/sys/fs/cgroup' "${files[@]}" ${functions[@]+"${functions[@]}"}; then
    echo "FAIL: a completion file hard-codes a cgroup path"
    status=1
fi

exit $status
