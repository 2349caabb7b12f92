#!/bin/bash
# Builds build/claude-gate_VERSION_ARCH.deb from the release binary, the man
# page, the completion scripts and the docs that `make deb` has prepared.
# Depends is computed by dpkg-shlibdeps from the shared libraries the binary
# links, so it follows the build instead of a hand-written list. libdbus-1 and
# libcrypto, which the binary opens with dlopen, are seen through a probe
# program built from scripts/lazy-libraries-probe.c.
#
# usage: scripts/build-deb.sh BINARY BUILD_DIR DOC...
# environment: DEB_MAINTAINER (default: the author of the last commit)
set -euo pipefail

if [ $# -lt 3 ]; then
    echo "usage: $0 BINARY BUILD_DIR DOC..." >&2
    exit 2
fi
binary=$1
build_dir=$2
shift 2
docs=("$@")

fail() { echo "build-deb: $*" >&2; exit 1; }

for tool in dpkg-deb dpkg-shlibdeps dpkg gzip strip pkg-config; do
    command -v "$tool" > /dev/null || fail "$tool is not installed; run: apt-get install dpkg-dev binutils gzip pkg-config"
done
compiler=${CC:-cc}
command -v "$compiler" > /dev/null || fail "no C compiler '$compiler'; set CC or run: apt-get install gcc"
sources=$(cd "$(dirname "$0")/.." && pwd)/Sources
[ -x "$binary" ] || fail "$binary is not built; run: make ship-binary"
[ -f "$build_dir/claude-gate.1" ] || fail "$build_dir/claude-gate.1 is missing; run: make man"

# A binary that needs libswift*.so would not run without the toolchain.
if ldd "$binary" | grep -q 'libswift'; then
    fail "$binary links the Swift runtime dynamically; build it with --static-swift-stdlib"
fi

version=$("$binary" --version | awk '{print $2}')
[ -n "$version" ] || fail "'$binary --version' printed no version"
architecture=$(dpkg --print-architecture)
maintainer=${DEB_MAINTAINER:-$(git log -1 --format='%an <%ae>' 2>/dev/null || true)}
[ -n "$maintainer" ] || fail "set DEB_MAINTAINER to 'Name <email>' for the Maintainer field"

staging=$build_dir/deb
root=$staging/root
rm -rf "$staging"
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" \
         "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
         "$root/usr/share/fish/vendor_completions.d" "$root/usr/share/doc/claude-gate"

install -m 755 "$binary" "$root/usr/bin/claude-gate"
strip --strip-unneeded "$root/usr/bin/claude-gate"
gzip -9n < "$build_dir/claude-gate.1" > "$root/usr/share/man/man1/claude-gate.1.gz"
install -m 644 "$build_dir/completions/claude-gate.bash" "$root/usr/share/bash-completion/completions/claude-gate"
install -m 644 "$build_dir/completions/_claude-gate" "$root/usr/share/zsh/vendor-completions/_claude-gate"
install -m 644 "$build_dir/completions/claude-gate.fish" "$root/usr/share/fish/vendor_completions.d/claude-gate.fish"
for doc in "${docs[@]}"; do
    install -m 644 "$doc" "$root/usr/share/doc/claude-gate/$(basename "$doc")"
done

# dpkg-shlibdeps reads debian/control from the current directory, so it runs
# in a scratch directory with a minimal one.
mkdir -p "$staging/shlibdeps/debian"
printf 'Source: claude-gate\n\nPackage: claude-gate\nArchitecture: any\n' > "$staging/shlibdeps/debian/control"
binary_path=$(realpath "$root/usr/bin/claude-gate")
probe=$(realpath "$staging/shlibdeps")/lazy-libraries-probe
# shellcheck disable=SC2046 # pkg-config prints several flags
# --no-as-needed because Debian's gcc links with --as-needed by default.
"$compiler" $(pkg-config --cflags dbus-1) -I"$sources/CDBusLoader" -I"$sources/CCrypto" \
    -o "$probe" "$(dirname "$0")/lazy-libraries-probe.c" -Wl,--no-as-needed $(pkg-config --libs dbus-1) -lcrypto \
    || fail "cannot build the dependency probe for libdbus-1 and libcrypto"
for library in libdbus-1.so.3 libcrypto.so.3; do
    objdump -p "$probe" | awk '$1 == "NEEDED" {print $2}' | grep -qxF "$library" \
        || fail "the dependency probe does not link $library, so Depends would miss its package"
done
depends=$(cd "$staging/shlibdeps" && dpkg-shlibdeps -O "-e$binary_path" "-e$probe" | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || fail "dpkg-shlibdeps found no dependencies for $binary_path"

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: claude-gate
Version: $version
Architecture: $architecture
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends
Section: utils
Priority: optional
Description: store command-line app credentials in the Secret Service or a file
 claude-gate keeps one API key or OAuth token set per provider in the
 freedesktop Secret Service (GNOME Keyring, KeePassXC) through D-Bus, and
 falls back to a 0600 file in ~/.claude-gate when no keyring is usable.
CONTROL

package=$build_dir/claude-gate_${version}_${architecture}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$package" > /dev/null
echo "built $package (Depends: $depends)"
