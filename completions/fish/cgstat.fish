# fish completion for cgstat(1)
#
# Column names come from `cgstat --list-columns`, job names from
# `cgstat --names` asked with the --root/--hierarchy already on the command
# line; no cgroup path is hard-coded. The __cgjob_* helpers that all three
# completions share are autoloaded from fish's vendor_functions.d
# (completions/fish/functions/ in the source tree).

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
