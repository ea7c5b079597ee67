# fish completion for cgkill(1)
#
# Signal names come from `cgkill -l`, job names from `cgstat --names` asked
# with the --root/--hierarchy already on the command line; no cgroup path is
# hard-coded. The __cgjob_* helpers that all three completions share are
# autoloaded from fish's vendor_functions.d (completions/fish/functions/ in
# the source tree).

# Prints the signal names that `cgkill -l` lists (without SIG), each with
# $argv[1] in front.
function __cgkill_signals -a prefix
    set -l tool (commandline -opc)[1]
    set -l out (command $tool -l 2>/dev/null; or command cgkill -l 2>/dev/null)
    for w in (string split -n ' ' -- (string replace -a \t ' ' -- $out))
        set w (string replace -r '^.*\)' '' -- $w)
        set w (string replace -r '^SIG' '' -- $w)
        string match -qr '^[A-Z]' -- $w; and echo "$prefix$w"
    end
end

# Succeeds on `cgkill -l|--list ...`: then the operand is a SIGNAL to
# translate, not a JOB.
function __cgkill_listing
    set -l tokens (commandline -opc)
    contains -- -l $tokens; or contains -- --list $tokens
end

complete -c cgkill -f
__cgjob_common_options cgkill

complete -c cgkill -s s -l signal -x -a '(__cgkill_signals)' -d 'Signal to send (default TERM)'
complete -c cgkill -s n -x -d 'Number of the signal to send'
complete -c cgkill -s l -l list -d 'List signal names, or translate one'
complete -c cgkill -n __cgkill_listing -a '(__cgkill_signals)' -d Signal
complete -c cgkill -l wait -d 'Wait until the job has no process left'
complete -c cgkill -l timeout -x -d 'Bound the wait (s, or with ms/s/m/h)'
complete -c cgkill -l escalate -x -d 'Send SIGKILL to what is left after this long'
# -SIGNAL, as for kill(1)
complete -c cgkill -n 'string match -qr -- "^-[A-Z]" (commandline -ct)' -a '(__cgkill_signals -)'
complete -c cgkill -n 'not __cgkill_listing; and not string match -q -- "-*" (commandline -ct)' -a '(__cgjob_jobs)' -d Job
