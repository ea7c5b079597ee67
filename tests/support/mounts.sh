# The mount of a freezer hierarchy as the tools themselves find it (the
# "mount" of `cgstat --json`), so that no test parses /proc/self/mountinfo
# on its own. Sourced by the shell tests' helpers.
#   tool_mount CGSTAT HIER    HIER: v1, v2, or auto (the tools' own pick)
# Prints the mount, or nothing where that hierarchy has none the tools use.
tool_mount() {
  local cgstat=$1 hier=$2
  env -u CGJOB_ROOT -u CGJOB_HIERARCHY "$cgstat" --hierarchy "$hier" --json 2>/dev/null |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["mount"])' 2>/dev/null
}
