#!/bin/bash
# Checks a built claude-gate .deb the way a user's machine would see it. The
# package is unpacked with dpkg-deb -x into a fresh temporary directory, and
# the binary runs from there with an empty environment (env -i). So neither
# the Swift toolchain nor the caller's HOME, keyring or session bus is used.
#
# usage: scripts/test-deb.sh PACKAGE.deb
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1" ]; then
    echo "usage: $0 PACKAGE.deb" >&2
    exit 2
fi
package=$1

failures=0
fail() { echo "test-deb: FAILED: $*" >&2; failures=$((failures + 1)); }
pass() { echo "test-deb: ok: $*"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/claude-gate-deb-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
home=$work/home
mkdir -p "$home"
chmod 700 "$home"
dpkg-deb -x "$package" "$root"
binary=$root/usr/bin/claude-gate

for file in usr/bin/claude-gate usr/share/man/man1/claude-gate.1.gz \
            usr/share/bash-completion/completions/claude-gate \
            usr/share/zsh/vendor-completions/_claude-gate \
            usr/share/fish/vendor_completions.d/claude-gate.fish \
            usr/share/doc/claude-gate/storage.md; do
    if [ -f "$root/$file" ]; then pass "/$file is installed"; else fail "/$file is missing"; fi
done

if ldd "$binary" | grep -q libswift; then
    fail "the binary needs a Swift runtime library: $(ldd "$binary" | grep libswift | tr -s ' \t' ' ')"
else
    pass "the binary needs no libswift*.so"
fi

# Every library the binary loads must come from a package named in Depends.
# The library is mapped to its package with dpkg -S, independently of the
# dpkg-shlibdeps run that wrote Depends.
depends=$(dpkg-deb -f "$package" Depends)
check_package_of() {
    local library=$1 path=$2 owner
    owner=$(dpkg -S "$(realpath "$path")" 2>/dev/null | head -n 1 | cut -d: -f1 || true)
    [ -n "$owner" ] || owner=$(dpkg -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1 || true)
    if [ -z "$owner" ]; then
        fail "no installed package owns $path ($library)"
    elif [[ ", $depends," == *", $owner "* || ", $depends," == *", $owner,"* ]]; then
        pass "$library comes from $owner, which Depends names"
    else
        fail "$library comes from $owner, which is missing from Depends: $depends"
    fi
}

needed=$(objdump -p "$binary" | awk '$1 == "NEEDED" {print $2}')
for library in $needed; do
    # ldd prints the dynamic loader by path only; libc6 ships it.
    [[ $library == ld-linux* ]] && continue
    path=$(ldd "$binary" | awk -v lib="$library" '$1 == lib && $3 ~ /^\// {print $3}')
    if [ -z "$path" ]; then
        fail "ldd does not resolve $library"
        continue
    fi
    check_package_of "$library" "$path"
done

# libdbus-1 and libcrypto are opened with dlopen when first called, so that
# commands that do not need them start faster. They must not be in the
# DT_NEEDED list, and their packages must still be in Depends.
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
for library in libdbus-1.so.3 libcrypto.so.3; do
    if grep -qxF "$library" <<< "$needed"; then
        fail "$library is in the binary's DT_NEEDED list, so every start loads it"
    else
        pass "$library is not loaded at start-up"
    fi
    path=$("$ldconfig" -p | awk -v lib="$library" '$1 == lib && $NF ~ /^\// {print $NF; exit}')
    if [ -z "$path" ]; then
        fail "ldconfig does not know $library"
        continue
    fi
    check_package_of "$library" "$path"
done

run() { env -i PATH=/usr/bin:/bin HOME="$home" "$@"; }

expected_version=$(dpkg-deb -f "$package" Version)
if output=$(run "$binary" --version) && [ "$output" = "claude-gate $expected_version" ]; then
    pass "--version prints '$output'"
else
    fail "--version printed '${output:-}', expected 'claude-gate $expected_version'"
fi

if output=$(run CLAUDE_GATE_AUTH_STORAGE_TYPE=file "$binary" auth storage test 2>&1); then
    pass "auth storage test with the file storage"
else
    fail "auth storage test with the file storage: $output"
fi
if [ -e "$home/.claude-gate/auth.json" ]; then
    fail "auth storage test left $home/.claude-gate/auth.json behind"
fi

# The forwarding functions must stay out of the dynamic symbol table, or
# they would interpose on the libraries' calls to their own functions.
exported=$(nm -D --defined-only "$binary" | awk '{print $3}' \
    | grep -E '^(dbus_|BN_|CRYPTO_|EVP_|OPENSSL_|OSSL_|PKCS5_|RAND_)' | head -n 3 | tr '\n' ' ' || true)
if [ -z "$exported" ]; then
    pass "the binary exports no libdbus-1 or libcrypto function"
else
    fail "the binary exports forwarding functions, such as: $exported"
fi

loaded=$(run LD_DEBUG=files "$binary" --version 2>&1 | grep -oE 'file=lib(dbus-1|crypto)[^ ]*' | sort -u | tr '\n' ' ' || true)
if [ -z "$loaded" ]; then
    pass "--version loads neither libdbus-1 nor libcrypto"
else
    fail "--version loads $loaded"
fi

# With the keyring chosen and no bus at the address, the binary must load
# libdbus-1 and then fail to connect, not fail to load the library.
output=$(run CLAUDE_GATE_AUTH_STORAGE_TYPE=keyring DBUS_SESSION_BUS_ADDRESS=unix:path=$work/no-bus \
    "$binary" auth status 2>&1 || true)
if [[ $output == *"cannot connect to the D-Bus session bus at unix:path=$work/no-bus"* ]]; then
    pass "libdbus-1 loads on first use"
else
    fail "auth status with the keyring and no bus printed: $output"
fi

# An encrypted file needs libcrypto for the key derivation and AES-GCM.
if output=$(run CLAUDE_GATE_AUTH_STORAGE_TYPE=file CLAUDE_GATE_MASTER_PASSWORD=deb-test-password \
        "$binary" auth storage test 2>&1); then
    pass "libcrypto loads on first use (encrypted file storage test)"
else
    fail "auth storage test with an encrypted file: $output"
fi

if command -v man > /dev/null; then
    warnings=$(run MANWIDTH=80 man --warnings -l "$root/usr/share/man/man1/claude-gate.1.gz" 2>&1 > /dev/null || true)
    if [ -z "$warnings" ]; then pass "the man page renders without warnings"; else fail "man reports: $warnings"; fi
else
    echo "test-deb: skipped: man is not installed"
fi

if output=$(run bash -c 'source "$1" && complete -p claude-gate' bash "$root/usr/share/bash-completion/completions/claude-gate" 2>&1) \
        && [ "$output" = "complete -F _claude_gate claude-gate" ]; then
    pass "bash loads the completion script"
else
    fail "bash could not load the completion script: $output"
fi

if [ "$failures" -gt 0 ]; then
    echo "test-deb: $failures check(s) failed for $package" >&2
    exit 1
fi
echo "test-deb: all checks passed for $package"
