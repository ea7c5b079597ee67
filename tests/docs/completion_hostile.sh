#!/bin/bash
# Usage: completion_hostile.sh v1|v2 CGFREEZE CGKILL CGSTAT COMPLETIONS_DIR
# Directory names below the job root are chosen by whoever owns a delegated
# subtree. Makes directories named like shell code ($(...), backticks, ';'),
# with spaces, tabs, escape sequences and glob characters below a job root of
# its own on the given hierarchy, then presses Tab after cgfreeze, cgkill and
# cgstat in bash, zsh and fish: nothing may be evaluated (no file appears in
# the shell's directory) and no such name may be offered; the valid jobs still
# are.
set -u
hier=$1 cgfreeze=$2 cgkill=$3 cgstat=$4 dir=$5
source "${BASH_SOURCE[0]%/*}/lib.sh"

((EUID == 0)) || skip "not root: cannot create cgroups"
use_tools "$cgfreeze" "$cgkill" "$cgstat"

# The mount of the hierarchy under test, as the tools find it.
mount=$(tool_mount "$cgstat" "$hier")
[[ -n $mount ]] || skip "no $hier freezer hierarchy mounted"

root=$mount/cgjobs-test-$$-hostile
work=$(mktemp -d)
cleanup() {
    [[ -d $root ]] && find "$root" -depth -type d -exec rmdir {} + 2>/dev/null
    [[ -d $root ]] && echo "warning: could not remove $root"
    rm -rf "$work" "${zdriver-}" "${stub-}"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
echo "job root: $root"

"$cgfreeze" --root "$root" create good good/child || { fail "cgfreeze --root $root create good good/child"; exit 1; }
hostile=('$(touch pwned1)' '`touch pwned2`' 'x;touch pwned3' '$(touch${IFS}pwned4)' 'a b' '*' 'g*'
         $'tab\there' $'esc\e[31m' '.hidden' 'cgroup.evil')
for n in "${hostile[@]}"; do
    mkdir "$root/$n" "$root/good/$n" || fail "mkdir $(printf %q "$n")"
done
mkdir "$root/\$(touch pwned1)/inner" || fail "mkdir below a hostile name"
if mkdir "$root"$'/nl\nname' 2>/dev/null; then
    hostile+=($'nl\nname')
else
    echo "note: the kernel refuses a newline in a cgroup name"
fi
wanted=(good good/child)
offered_hostile=()
for n in "${hostile[@]}"; do offered_hostile+=("$n" "good/$n"); done
offered_hostile+=('$(touch pwned1)/inner' inner)

# check SHELL WHAT LIST: LIST (one candidate a line) has the valid jobs and
# none of the hostile names, and nothing was created in the shell's directory.
check() {
    local shell=$1 what=$2 list=$3
    expect_has "$shell: $what offers the jobs" "$list" "${wanted[@]}"
    expect_lacks "$shell: $what offers no hostile name" "$list" "${lacking[@]}"
    if [[ -n $(ls -A "$work") ]]; then
        fail "$shell: $what evaluated a name: $(ls -A "$work" | tr '\n' ' ')"
        rm -f "$work"/*
    else
        echo "ok: $shell: $what evaluated nothing"
    fi
}

describe() { printf '%s ... %s' "${1%% *}" "${1#* * * }"; }
lines=("cgfreeze --root $root thaw " "cgfreeze --root $root " "cgkill --root $root -USR1 "
       "cgstat --root $root " "cgfreeze --root $root rm g")

# --- bash: the completion function, driven through COMP_WORDS ---------------
bash_complete() {
    local line=$1
    (
        cd "$work" || exit 1
        [[ -r /usr/share/bash-completion/bash_completion ]] && source /usr/share/bash-completion/bash_completion
        source "$dir/bash/${line%% *}"
        read -ra COMP_WORDS <<<"$line"
        [[ $line == *' ' ]] && COMP_WORDS+=('')
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE=$line COMP_POINT=${#line} COMPREPLY=()
        "_${line%% *}" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
        ((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}"
    )
}

# --- zsh: the real completion system in a pseudo-terminal --------------------
# compadd is wrapped to print what it adds (-A: the matches zsh would offer),
# between markers printed before and after the completion; the shell exits
# after it. The markers are spelt split in the commands, so that the echo of
# the commands never looks like them.
zdriver=$(mktemp)
cat >"$zdriver" <<'ZSH'
# zsh zdriver ZSH_COMPLETIONS_DIR DIRECTORY LINE: prints the candidates of LINE<TAB>.
zmodload zsh/zpty || exit 3
zpty z zsh -f -i
zpty -w z 'PS1= PROMPT= RPROMPT='
zpty -w z "fpath=(${(q)1} \$fpath)"
zpty -w z 'autoload -Uz compinit && compinit -u -D'
zpty -w z 'zstyle ":completion:*" list-grouped false; zstyle ":completion:*" insert-tab false'
zpty -w z 'cgjob_mark() { print -r -- CGJOB""-MARK }; compprefuncs=(cgjob_mark); comppostfuncs=(cgjob_mark exit)'
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a cgjob_hits; builtin compadd -A cgjob_hits "$@"; local h; for h in $cgjob_hits; do print -r -- "CGJOB""-HIT:${(Q)h}"; done; builtin compadd "$@"; }'
zpty -w z "cd ${(q)2}"
zpty -n -w z "$3"$'\t'
local out chunk l on=0
while zpty -r z chunk; do out+=$chunk; done
zpty -d z 2>/dev/null
for l in "${(@f)out}"; do
  l=${l%$'\r'}
  if [[ $l == *CGJOB-MARK* ]]; then (( on++ )); continue; fi
  (( on == 1 )) && [[ $l == *CGJOB-HIT:* ]] && print -r -- "${l#*CGJOB-HIT:}"
done
(( on >= 1 )) || print -u2 "zsh: no completion ran"
ZSH
zsh_complete() { timeout 30 zsh -f "$zdriver" "$dir/zsh" "$work" "$1"; }

# --- fish: complete -C ------------------------------------------------------------
fish_complete() {
    (cd "$work" && fish --no-config -c 'set -p fish_function_path $argv[3]; source $argv[1]; complete -C $argv[2]' \
        "$dir/fish/${1%% *}.fish" "$1" "$dir/fish/functions" 2>/dev/null | cut -f1)
}

# Completes every line in each shell; $1 says with which cgstat.
complete_all() {
    local how=$1 line sh
    for sh in bash zsh fish; do
        if ! command -v "$sh" >/dev/null; then
            echo "note: $sh is not installed; its completion is not checked"
            continue
        fi
        for line in "${lines[@]}"; do
            check "$sh ($how)" "'$(describe "$line")<TAB>'" "$("${sh}_complete" "$line")"
        done
    done
}

lacking=("${offered_hostile[@]}")
complete_all "cgstat --names"

# The completion scripts on their own: a cgstat that prints the hostile names
# too (as one from before they were left out would) may not make them run
# anything, nor get a name with a character no job name has offered.
lacking=()
for n in "${offered_hostile[@]}"; do [[ $n == *[!A-Za-z0-9_.:@+/-]* ]] && lacking+=("$n"); done
stub=$(mktemp -d)
{
    echo '#!/bin/bash'
    printf 'names=(good good/child'
    printf ' %q' "${offered_hostile[@]}"
    echo ')'
    echo 'for a; do [[ $a == --names ]] && { printf "%s\n" "${names[@]}"; exit 0; }; done'
    printf 'exec %q "$@"\n' "$(command -v cgstat)"
} >"$stub/cgstat"
chmod +x "$stub/cgstat"
PATH=$stub:$PATH complete_all "a cgstat that lists them"
rm -rf "$stub"

echo "$failures failure(s)"
exit $status
