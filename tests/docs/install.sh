#!/bin/bash
# Usage: install.sh BUILD_DIR SOURCE_DIR
# `cmake --install` honours DESTDIR and the prefix, and puts binaries, man
# pages, completions and the package documents where Debian expects them.
set -u
build=$1 src=$2
source "${BASH_SOURCE[0]%/*}/lib.sh"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# check_tree DESTDIR PREFIX: the installed files below DESTDIR/PREFIX.
check_tree() {
    local top=$1$2 t f
    for t in cgfreeze cgkill cgstat; do
        [[ -f $top/bin/$t && -x $top/bin/$t ]] || fail "$top/bin/$t: not an executable"
        f=$top/share/man/man1/$t.1.gz
        if [[ -f $f ]]; then
            gzip -t "$f" || fail "$f: not gzip"
            cmp -s <(gzip -dc "$f") "$src/man/$t.1" || fail "$f: differs from man/$t.1"
            if command -v man >/dev/null; then
                out=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
                [[ -z $out ]] || fail "man --warnings -l $f: $out"
            fi
        elif [[ -f $top/share/man/man1/$t.1 ]]; then
            echo "note: $t.1 installed uncompressed (no gzip at build time)"
        else
            fail "no man page $top/share/man/man1/$t.1.gz"
        fi
        cmp -s "$top/share/bash-completion/completions/$t" "$src/completions/bash/$t" ||
            fail "$top/share/bash-completion/completions/$t: missing or different"
        cmp -s "$top/share/zsh/vendor-completions/_$t" "$src/completions/zsh/_$t" ||
            fail "$top/share/zsh/vendor-completions/_$t: missing or different"
        cmp -s "$top/share/fish/vendor_completions.d/$t.fish" "$src/completions/fish/$t.fish" ||
            fail "$top/share/fish/vendor_completions.d/$t.fish: missing or different"
    done
    for f in "$src"/completions/fish/functions/*.fish; do
        cmp -s "$top/share/fish/vendor_functions.d/${f##*/}" "$f" ||
            fail "$top/share/fish/vendor_functions.d/${f##*/}: missing or different"
    done
    [[ -f $top/share/doc/cgjob-tools/copyright ]] || fail "no share/doc/cgjob-tools/copyright"
    [[ -f $top/share/doc/cgjob-tools/changelog.gz || -f $top/share/doc/cgjob-tools/changelog ]] ||
        fail "no share/doc/cgjob-tools/changelog.gz"
    # The unit that holds root's jobs under systemd (cgfreeze(1), SYSTEMD).
    cmp -s "$top/lib/systemd/system/cgjobs.service" "$src/packaging/cgjobs.service" ||
        fail "$top/lib/systemd/system/cgjobs.service: missing or different"
    # Nothing lands outside bin/, share/ and lib/systemd.
    local stray
    stray=$(cd "$top" && find . -mindepth 1 -maxdepth 1 ! -name bin ! -name share ! -name lib)
    [[ -z $stray ]] || echo "note: also installed below $2: $stray"
    # The installed tool runs.
    "$top/bin/cgfreeze" --version >/dev/null || fail "$top/bin/cgfreeze --version failed"
}

for prefix in /usr /opt/cgjob; do
    dest=$tmp/dest${prefix//\//_}
    if ! out=$(DESTDIR=$dest cmake --install "$build" --prefix "$prefix" 2>&1); then
        echo "$out"
        fail "DESTDIR=$dest cmake --install $build --prefix $prefix"
        continue
    fi
    [[ -d $dest$prefix ]] || { fail "nothing installed below DESTDIR $dest$prefix"; continue; }
    before=$failures
    check_tree "$dest" "$prefix"
    ((failures == before)) && echo "ok: installed tree below DESTDIR$prefix"
    # DESTDIR is honoured: nothing was written to the real prefix.
    [[ $prefix == /opt/cgjob && -e /opt/cgjob ]] &&
        fail "/opt/cgjob exists: DESTDIR was not honoured?"
done

exit $status
