# Autoloaded by fish from vendor_functions.d; shared by the completions of
# cgfreeze, cgkill and cgstat.
#
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
