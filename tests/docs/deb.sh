#!/bin/bash
# Usage: deb.sh BUILD_DIR SOURCE_DIR VERSION
# Builds the .deb with cpack (into a temporary directory), checks its control
# data and contents, and runs lintian on it, failing on any error.
set -u
build=$1 src=$2 version=$3
source "${BASH_SOURCE[0]%/*}/lib.sh"

for t in cpack dpkg-deb lintian dpkg-shlibdeps; do
    command -v "$t" >/dev/null || skip "$t is not installed"
done
[[ -f $build/CPackConfig.cmake ]] || { echo "FAIL: no $build/CPackConfig.cmake"; exit 1; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

if ! cpack --config "$build/CPackConfig.cmake" -B "$tmp" >"$tmp/cpack.log" 2>&1; then
    cat "$tmp/cpack.log"
    echo "FAIL: cpack"
    exit 1
fi
debs=("$tmp"/*.deb)
[[ -f ${debs[0]} ]] || { cat "$tmp/cpack.log"; echo "FAIL: cpack made no .deb"; exit 1; }
deb=${debs[0]}
echo "package: ${deb##*/}"

field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == cgjob-tools ]] || fail "Package: $(field Package)"
[[ $(field Version) == "$version"* ]] || fail "Version: $(field Version), expected $version"
[[ $(field Section) == admin ]] || fail "Section: $(field Section)"
[[ -n $(field Maintainer) ]] || fail "no Maintainer"
# Shared-linked tools depend on libc6 (shlibdeps); static ones on nothing.
dpkg-deb -x "$deb" "$tmp/root"
if file -L "$tmp/root/usr/bin/cgstat" | grep -q 'statically linked'; then
    [[ -z $(field Depends) ]] || fail "static tools, yet Depends: $(field Depends)"
    [[ -f $tmp/root/usr/share/lintian/overrides/cgjob-tools ]] || fail "static tools without lintian overrides"
else
    [[ $(field Depends) == *libc6* ]] || fail "Depends lacks libc6 (shlibdeps?): $(field Depends)"
fi
[[ $(field Description) == *$'\n'* ]] || fail "no extended Description"

contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
for f in ./usr/bin/cgfreeze ./usr/bin/cgkill ./usr/bin/cgstat \
    ./usr/share/man/man1/cgfreeze.1.gz ./usr/share/man/man1/cgkill.1.gz \
    ./usr/share/man/man1/cgstat.1.gz \
    ./usr/share/bash-completion/completions/cgfreeze \
    ./usr/share/zsh/vendor-completions/_cgkill \
    ./usr/share/fish/vendor_completions.d/cgstat.fish \
    ./usr/share/fish/vendor_functions.d/__cgjob_jobs.fish \
    ./usr/share/doc/cgjob-tools/copyright; do
    grep -qxF -- "$f" <<<"$contents" || fail "$f is not in the package"
done

# lintian refuses nothing as root, but says so; keep its output whole.
lintian --fail-on error --tag-display-limit 0 "$deb" >"$tmp/lintian.log" 2>&1
rc=$?
cat "$tmp/lintian.log"
if ((rc != 0)) || grep -q '^E: ' "$tmp/lintian.log"; then
    fail "lintian reports errors (exit $rc)"
else
    echo "ok: lintian reports no error ($(grep -c '^W: ' "$tmp/lintian.log") warnings)"
fi

exit $status
