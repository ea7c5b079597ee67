# Autoloaded by fish from vendor_functions.d; shared by the completions of
# cgfreeze, cgkill and cgstat.
#
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
