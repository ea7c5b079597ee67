# fish completion for cgfreeze(1)
#
# Job names come from `cgstat --names`, asked with the --root/--hierarchy
# already on the command line; no cgroup path is hard-coded. The __cgjob_*
# helpers that all three completions share are autoloaded from fish's
# vendor_functions.d (completions/fish/functions/ in the source tree).

# Prints the subcommand ("freeze" when the first operand is a JOB), or fails
# while no operand has been typed yet.
function __cgfreeze_subcommand
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for t in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case --root --hierarchy --timeout --pid --leave -w --nodes --from --to
                set skip 1
            case freeze thaw create add run rm checkpoint restore migrate
                echo $t
                return 0
            case '-*'
            case '*'
                echo freeze
                return 0
        end
    end
    return 1
end

# Succeeds when the subcommand is one of $argv and the command line is not
# past `run JOB --`.
function __cgfreeze_using
    __cgfreeze_after_dashdash; and return 1
    contains -- (__cgfreeze_subcommand) $argv
end

# Prints how many operands follow the subcommand before the cursor.
function __cgfreeze_nargs
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    set -l seen 0
    set -l n 0
    for t in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case --root --hierarchy --timeout --pid --leave -w --nodes --from --to
                set skip 1
            case '-*'
            case '*'
                if test $seen = 0
                    set seen 1
                    contains -- $t freeze thaw create add run rm checkpoint restore migrate; and continue
                end
                set n (math $n + 1)
        end
    end
    echo $n
end

# Succeeds when the cursor is after `cgfreeze run JOB --`.
function __cgfreeze_after_dashdash
    contains -- -- (commandline -opc); and test (__cgfreeze_subcommand) = run
end

# Completes COMMAND and its arguments after `cgfreeze run JOB --`.
function __cgfreeze_command
    set -l tokens (commandline -opc)
    set -l i (contains -i -- -- $tokens)
    __fish_complete_subcommand --commandline $tokens[(math $i + 1)..-1] (commandline -ct)
end

complete -c cgfreeze -f
__cgjob_common_options cgfreeze 'not __cgfreeze_after_dashdash'

complete -c cgfreeze -n 'not __cgfreeze_subcommand' -a freeze -d 'Freeze jobs (the default)'
complete -c cgfreeze -n 'not __cgfreeze_subcommand' -a thaw -d 'Thaw jobs'
complete -c cgfreeze -n 'not __cgfreeze_subcommand' -a create -d 'Create jobs'
complete -c cgfreeze -n 'not __cgfreeze_subcommand' -a add -d 'Move processes into a job'
complete -c cgfreeze -n 'not __cgfreeze_subcommand' -a run -d 'Run a command inside a job'
complete -c cgfreeze -n 'not __cgfreeze_subcommand' -a rm -d 'Remove jobs'
complete -c cgfreeze -n 'not __cgfreeze_subcommand' -a checkpoint -d 'Save a job to a directory with CRIU'
complete -c cgfreeze -n 'not __cgfreeze_subcommand' -a restore -d 'Start a saved job again'
complete -c cgfreeze -n 'not __cgfreeze_subcommand' -a migrate -d 'Move a job to another node'
complete -c cgfreeze -n 'not __cgfreeze_subcommand' -a '(__cgjob_jobs)' -d Job

complete -c cgfreeze -n 'not __cgfreeze_subcommand; or __cgfreeze_using freeze thaw' -l wait -d 'Wait until FROZEN (or THAWED)'
complete -c cgfreeze -n 'not __cgfreeze_subcommand; or __cgfreeze_using freeze thaw rm checkpoint migrate' -l timeout -x -d 'Bound the wait (s, or with ms/s/m/h)'
complete -c cgfreeze -n 'not __cgfreeze_subcommand; or __cgfreeze_using freeze' -l keep -d 'On timeout, leave the job as it is'
complete -c cgfreeze -n '__cgfreeze_using create' -l pid -x -a '(__fish_complete_pids)' -d 'Move this process into the job'
complete -c cgfreeze -n '__cgfreeze_using add' -l create -d 'Create the job first if missing'
complete -c cgfreeze -n '__cgfreeze_using add create' -l steal -d 'Move a process out of another systemd unit too'
complete -c cgfreeze -n '__cgfreeze_using run' -l detach -d 'Print the PID of COMMAND and return'
complete -c cgfreeze -n '__cgfreeze_using rm' -l kill -d 'Kill the processes of a job that is not empty'
complete -c cgfreeze -n '__cgfreeze_using checkpoint' -l leave -x -a 'running frozen killed' -d 'What becomes of the job once saved'
complete -c cgfreeze -n '__cgfreeze_using restore' -l frozen -d 'Restore the job frozen'
complete -c cgfreeze -n '__cgfreeze_using restore' -l thawed -d 'Restore the job running'
complete -c cgfreeze -n '__cgfreeze_using restore' -l detach -d 'Print the root PID and return'
complete -c cgfreeze -n '__cgfreeze_using migrate' -l from -x -a '(__cgjob_nodes)' -d 'The node the job runs on'
complete -c cgfreeze -n '__cgfreeze_using migrate' -l to -x -a '(__cgjob_nodes)' -d 'The node to move it to'

complete -c cgfreeze -n '__cgfreeze_using freeze thaw create rm' -a '(__cgjob_jobs)' -d Job
complete -c cgfreeze -n '__cgfreeze_using add run checkpoint restore migrate; and test (__cgfreeze_nargs) = 0' -a '(__cgjob_jobs)' -d Job
complete -c cgfreeze -n '__cgfreeze_using checkpoint restore; and test (__cgfreeze_nargs) = 1' -x -a '(__fish_complete_directories (commandline -ct))'
complete -c cgfreeze -n '__cgfreeze_using add; and test (__cgfreeze_nargs) -ge 1' -a '(__fish_complete_pids)'
complete -c cgfreeze -n '__cgfreeze_using run; and test (__cgfreeze_nargs) = 1' -a '(printf "%s\n" --)' -d 'Then COMMAND'
complete -c cgfreeze -n __cgfreeze_after_dashdash -x -a '(__cgfreeze_command)'
