# fish completion for cgstat(1)
#
# Column names come from `cgstat --list-columns`, job names from
# `cgstat --names` asked with the --root/--hierarchy already on the command
# line; no cgroup path is hard-coded. The __cgjob_* helpers are defined
# identically by cgfreeze.fish, cgkill.fish and cgstat.fish.

# --- __cgjob helpers: identical in cgfreeze.fish, cgkill.fish and cgstat.fish (tests check) ---

# Prints the --root/--hierarchy options already on the command line, one word
# a line, so that job names come from the job root the command will act on.
function __cgjob_location
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]
        switch $tokens[1]
            case --
                return
            case --root --hierarchy
                if set -q tokens[2]
                    printf '%s\n' $tokens[1] (string replace -r '^~(?=/|$)' -- $HOME $tokens[2])
                    set -e tokens[1]
                end
            case '--root=*' '--hierarchy=*'
                set -l parts (string split -m 1 = -- $tokens[1])
                printf '%s\n' $parts[1] (string replace -r '^~(?=/|$)' -- $HOME $parts[2])
        end
        set -e tokens[1]
    end
end

# Prints the job names below the job root, as `cgstat --names` does, one a
# line. Names are data: printed, never evaluated, and a line with a
# character no job name has (a tab would start a description) is left out.
function __cgjob_jobs
    # This machine's jobs, also when CGJOB_NODES is set: no ssh on a <Tab>.
    CGJOB_NODES= command cgstat (__cgjob_location) --names 2>/dev/null | string match -r -- '^[A-Za-z0-9_.:@+/-]+$'
end

# Prints ClusterShell's node groups and their nodes (its groups.conf), one a
# line, each appended to the comma-separated node set being typed.
function __cgjob_nodes
    command -q nodeset; or return 0
    set -l groups (command nodeset -l 2>/dev/null)
    test (count $groups) -gt 0; or return 0
    set -l prefix (string replace -r -- '[^,]*$' '' (commandline -ct))
    for w in $groups (string split ' ' -- (command nodeset -e -- $groups 2>/dev/null))
        string match -qr -- '^[A-Za-z0-9_.@-]+$' $w; and echo $prefix$w
    end
end

# Adds the options that every tool takes to the completions of $argv[1],
# offered while the condition $argv[2] (if any) holds.
function __cgjob_common_options -a tool condition
    set -l c -c $tool
    test -n "$condition"; and set -a c -n $condition
    complete $c -s w -l nodes -x -a '(__cgjob_nodes)' -d 'Run on every node of NODESET (ClusterShell)'
    complete $c -l hierarchy -x -a 'auto v1 v2' -d 'Cgroup hierarchy to act on'
    complete $c -l root -x -a '(__fish_complete_directories)' -d 'Job root (a directory in a cgroup mount)'
    complete $c -s q -l quiet -d 'Print nothing but errors'
    complete $c -s v -l verbose -d 'Report what is done'
    complete $c -s h -l help -d 'Print a usage summary and exit'
    complete $c -s V -l version -d 'Print the version and exit'
end

# --- end of __cgjob helpers ---

# Prints the column names that `cgstat --list-columns` lists, appended to the
# comma-separated list being typed, leaving out those already in it.
function __cgstat_columns
    set -l tool (commandline -opc)[1]
    set -l typed (commandline -ct)
    set -l token (string replace -r '^(-o|--output=?)' '' -- $typed)
    set -l done (string match -r '^.*,' -- $token)
    set -l prefix (string replace -r -- '[^,]*$' '' $typed)
    set -l named (string split -n , -- "$done")
    for c in (command $tool --list-columns 2>/dev/null; or command cgstat --list-columns 2>/dev/null)
        contains -- $c $named; or echo $prefix$c
    end
end

complete -c cgstat -f
__cgjob_common_options cgstat

complete -c cgstat -s r -l recursive -d 'Report the sub-jobs of each JOB too'
complete -c cgstat -l json -d 'Print JSON instead of a table'
complete -c cgstat -l procs -d 'Also report the processes of each job'
complete -c cgstat -s o -l output -x -a '(__cgstat_columns)' -d 'Columns of the table'
complete -c cgstat -s n -l noheadings -d 'Do not print the header line'
complete -c cgstat -l watch -d 'Print a line per change'
complete -c cgstat -l timeout -x -d 'With --watch, stop after this long'
complete -c cgstat -a '(__cgjob_jobs)' -d Job
