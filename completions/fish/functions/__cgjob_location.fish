# Autoloaded by fish from vendor_functions.d; shared by the completions of
# cgfreeze, cgkill and cgstat.
#
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
