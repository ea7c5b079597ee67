#!/bin/bash
# Usage: completion_fish.sh CGFREEZE CGKILL CGSTAT COMPLETIONS_DIR
# Asks fish (`complete -C`) for the candidates of the fish completions against
# a job root made for the test.
set -u
cgfreeze=$1 cgkill=$2 cgstat=$3 dir=$4
source "${BASH_SOURCE[0]%/*}/lib.sh"

command -v fish >/dev/null || skip "fish is not installed"
use_tools "$cgfreeze" "$cgkill" "$cgstat"
make_test_root fish
"$cgfreeze" --root "$root" create a b/c || { fail "cgfreeze --root $root create a b/c"; exit 1; }

# complete LINE: the candidates fish offers at the end of LINE, one a line.
complete_line() {
    local tool=${1%% *}
    fish --no-config -c 'set -p fish_function_path $argv[3]; source $argv[1]; complete -C $argv[2]' \
        "$dir/fish/$tool.fish" "$1" "$dir/fish/functions" 2>/dev/null | cut -f1
}

out=$(complete_line "cgfreeze --root $root thaw ")
expect_has "cgfreeze --root ROOT thaw <TAB>" "$out" a b b/c
out=$(complete_line "cgfreeze --root=$root rm b")
expect_has "cgfreeze --root=ROOT rm b<TAB>" "$out" b b/c
out=$(CGJOB_ROOT=$root complete_line "cgfreeze ")
expect_has "CGJOB_ROOT=ROOT cgfreeze <TAB>" "$out" freeze thaw create add run rm a b/c
out=$(complete_line "cgfreeze thaw --")
expect_has "cgfreeze thaw --<TAB>" "$out" --wait --timeout --root
expect_lacks "cgfreeze thaw --<TAB>" "$out" --keep --kill
out=$(complete_line "cgfreeze --root $root run a ")
expect_has "cgfreeze run JOB <TAB>" "$out" --
out=$(complete_line "cgfreeze --root $root run a -- ech")
expect_has "cgfreeze run JOB -- ech<TAB>" "$out" echo

out=$(complete_line "cgkill -s ")
expect_has "cgkill -s <TAB>" "$out" KILL TERM
out=$(complete_line "cgkill -KI")
expect_has "cgkill -KI<TAB>" "$out" -KILL
out=$(complete_line "cgkill --root $root ")
expect_has "cgkill --root ROOT <TAB>" "$out" a b/c

out=$(complete_line "cgstat -o ")
expect_has "cgstat -o <TAB>" "$out" STATE PROCS
out=$(complete_line "cgstat -o JOB,")
expect_has "cgstat -o JOB,<TAB>" "$out" JOB,STATE
expect_lacks "cgstat -o JOB,<TAB>" "$out" JOB,JOB
out=$(complete_line "cgstat --root $root ")
expect_has "cgstat --root ROOT <TAB>" "$out" a b/c

exit $status
