# Sourced by scripts/test.sh and scripts/fuzz.sh: compile through ccache
# (Debian's, installed by scripts/install-deps.sh), so that a build of a
# tree already built once on this machine, from any clone, takes a minute
# rather than ten. Paths are hashed relative to the checkout
# (CCACHE_BASEDIR) and the build directory is not hashed (CCACHE_NOHASHDIR):
# a fresh clone elsewhere (CI's) hits the entries an earlier build left.
# Debug info keeps the path of the build that filled the cache; nothing
# here reads it. CGJOB_NO_CCACHE=1 compiles without it.
# Sets: compiler_cache (cmake options, empty without ccache).
compiler_cache=()
if [ "${CGJOB_NO_CCACHE:-0}" != 1 ] && command -v ccache > /dev/null; then
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
  compiler_cache=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
