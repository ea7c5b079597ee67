#!/bin/bash
# Usage: completion_bash.sh CGFREEZE CGKILL CGSTAT COMPLETIONS_DIR
# Drives the bash completions through COMP_WORDS/COMP_CWORD against a job root
# made for the test, and checks the candidates.
set -u
cgfreeze=$1 cgkill=$2 cgstat=$3 dir=$4
source "${BASH_SOURCE[0]%/*}/lib.sh"

use_tools "$cgfreeze" "$cgkill" "$cgstat"
make_test_root bash
"$cgfreeze" --root "$root" create a b/c || { fail "cgfreeze --root $root create a b/c"; exit 1; }
names=$(cgstat --root "$root" --names) || fail "cgstat --names exited with $?"
expect_has "cgstat --names" "$names" a b/c

if [[ -r /usr/share/bash-completion/bash_completion ]]; then
    source /usr/share/bash-completion/bash_completion
else
    echo "note: bash-completion is not installed; testing the plain fallback"
fi
for tool in cgfreeze cgkill cgstat; do
    source "$dir/bash/$tool" || fail "source $dir/bash/$tool"
done

# complete LINE: prints the candidates bash would offer at the end of LINE.
# COMP_WORDS is split the way bash splits it, at blanks and at the word
# break characters = and :, which become words of their own.
complete_line() {
    local line=$1 words=() w rest
    local -a tokens
    read -ra tokens <<<"$line"
    [[ $line == *' ' ]] && tokens+=('')
    for w in "${tokens[@]}"; do
        rest=$w
        while [[ $rest == *[=:]* ]]; do
            words+=("${rest%%[=:]*}")
            rest=${rest#*[=:]}
            words+=("${w:${#w}-${#rest}-1:1}")
        done
        words+=("$rest")
    done
    # Drop the empty words produced around a break character.
    local -a cw=()
    for ((i = 0; i < ${#words[@]}; i++)); do
        [[ -z ${words[i]} && $i -lt $((${#words[@]} - 1)) ]] && continue
        cw+=("${words[i]}")
    done
    COMP_WORDS=("${cw[@]}")
    COMP_CWORD=$((${#cw[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMPREPLY=()
    local spec func
    spec=$(complete -p "${cw[0]}" 2>/dev/null) || { echo "no completion for ${cw[0]}" >&2; return; }
    func=${spec#* -F }
    func=${func%% *}
    "$func" "${cw[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
    ((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}"
}

# cgfreeze
out=$(complete_line "cgfreeze --root $root thaw ")
expect_has "cgfreeze --root ROOT thaw <TAB>" "$out" a b b/c
out=$(complete_line "cgfreeze --root=$root thaw b")
expect_has "cgfreeze --root=ROOT thaw b<TAB>" "$out" b b/c
expect_lacks "cgfreeze --root=ROOT thaw b<TAB>" "$out" a
out=$(CGJOB_ROOT=$root complete_line "cgfreeze thaw ")
expect_has "CGJOB_ROOT=ROOT cgfreeze thaw <TAB>" "$out" a b/c
out=$(complete_line "cgfreeze --root $root ")
expect_has "cgfreeze --root ROOT <TAB>" "$out" freeze thaw create add run rm a b/c
out=$(complete_line "cgfreeze --root $root freeze --wait ")
expect_has "cgfreeze freeze --wait <TAB>" "$out" a b/c
out=$(complete_line "cgfreeze --root $root a ")
expect_has "cgfreeze JOB <TAB> (implicit freeze)" "$out" b/c
expect_lacks "cgfreeze JOB <TAB> (implicit freeze)" "$out" thaw
out=$(complete_line "cgfreeze thaw --")
expect_has "cgfreeze thaw --<TAB>" "$out" --wait --timeout --root --hierarchy --help
expect_lacks "cgfreeze thaw --<TAB>" "$out" --keep --kill
out=$(complete_line "cgfreeze --")
expect_has "cgfreeze --<TAB>" "$out" --wait --timeout --keep --version
out=$(complete_line "cgfreeze rm --")
expect_has "cgfreeze rm --<TAB>" "$out" --kill --timeout
out=$(complete_line "cgfreeze --hierarchy ")
expect_has "cgfreeze --hierarchy <TAB>" "$out" auto v1 v2
out=$(complete_line "cgfreeze --root $root add ")
expect_has "cgfreeze add <TAB>" "$out" a b/c
out=$(complete_line "cgfreeze --root $root run a ")
expect_has "cgfreeze run JOB <TAB>" "$out" --
out=$(complete_line "cgfreeze --root $root run a -- ech")
expect_has "cgfreeze run JOB -- ech<TAB>" "$out" echo

# cgkill
out=$(complete_line "cgkill -s ")
expect_has "cgkill -s <TAB>" "$out" KILL TERM HUP
out=$(complete_line "cgkill --signal K")
expect_has "cgkill --signal K<TAB>" "$out" KILL
expect_lacks "cgkill --signal K<TAB>" "$out" TERM
out=$(complete_line "cgkill -KI")
expect_has "cgkill -KI<TAB>" "$out" -KILL
out=$(complete_line "cgkill --")
expect_has "cgkill --<TAB>" "$out" --signal --list --wait --timeout --escalate --root
out=$(complete_line "cgkill --root $root -9 ")
expect_has "cgkill --root ROOT -9 <TAB>" "$out" a b b/c

# cgstat
out=$(complete_line "cgstat -o ")
expect_has "cgstat -o <TAB>" "$out" JOB STATE PROCS
out=$(complete_line "cgstat --output JOB,")
expect_has "cgstat --output JOB,<TAB>" "$out" JOB,STATE JOB,PATH
expect_lacks "cgstat --output JOB,<TAB>" "$out" JOB,JOB
out=$(complete_line "cgstat --root $root ")
expect_has "cgstat --root ROOT <TAB>" "$out" a b b/c
out=$(complete_line "cgstat --")
expect_has "cgstat --<TAB>" "$out" --json --procs --output --noheadings --watch --recursive
expect_lacks "cgstat --<TAB>" "$out" --names --list-columns

exit $status
