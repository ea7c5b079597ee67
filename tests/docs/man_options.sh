#!/bin/bash
# Usage: man_options.sh TOOL PAGE [SUBCOMMAND...]
# Every long option that `TOOL --help` shows (and `TOOL SUBCOMMAND --help` for
# each SUBCOMMAND) is documented in PAGE, so the two cannot drift apart.
# Each SUBCOMMAND must be documented too.
set -u
tool=$1 page=$2
shift 2

[[ -x $tool ]] || { echo "FAIL: $tool is not an executable"; exit 1; }
[[ -r $page ]] || { echo "FAIL: no page $page"; exit 1; }

# The page's text with roff escapes for '-' undone.
text=$(sed -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\f[BIRP]//g' "$page")
status=0

# Prints the long options in the help text on stdin, one per line.
long_options() {
    grep -oE -- '(^|[^A-Za-z0-9_-])--[A-Za-z0-9][A-Za-z0-9-]*' |
        sed -E 's/^[^-]*//' | sort -u
}

check_help() {
    local what=$1 help rc
    shift
    help=$("$tool" "$@" --help 2>&1)
    rc=$?
    if ((rc != 0)); then
        echo "FAIL: $what --help exited with $rc:"
        echo "$help"
        status=1
        return
    fi
    if [[ -z $help ]]; then
        echo "FAIL: $what --help printed nothing"
        status=1
        return
    fi
    local opt n=0
    while read -r opt; do
        [[ -n $opt ]] || continue
        ((n++))
        if ! grep -qE -- "(^|[^A-Za-z0-9_-])$opt([^A-Za-z0-9_-]|$)" <<<"$text"; then
            echo "FAIL: $opt (from $what --help) is not in $page"
            status=1
        fi
    done < <(long_options <<<"$help")
    echo "checked $n long options of $what --help"
}

name=${page##*/}
name=${name%.1}
check_help "$name"
for sub in "$@"; do
    check_help "$name $sub" "$sub"
    if ! grep -qE -- "(^|[^A-Za-z0-9_-])$sub([^A-Za-z0-9_-]|$)" <<<"$text"; then
        echo "FAIL: subcommand $sub is not in $page"
        status=1
    fi
done

((status == 0)) && echo "ok: $page documents every long option"
exit $status
