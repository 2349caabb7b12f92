#!/bin/bash
# Installs, from Debian's archive, the system libraries claude-gate uses and
# the daemons and peer clients its tests run against. Run as root.
# The Swift toolchain itself is not a Debian package and must already be on
# PATH (swift.org toolchain, 6.0 or later).
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
    echo "install-dependencies: run as root (sudo $0)" >&2
    exit 1
fi

packages=(
    # Build: headers and pkg-config files of libdbus-1 and libcrypto.
    pkg-config libdbus-1-dev libssl-dev
    # Tests: a private bus, a real GNOME Keyring and peer clients.
    dbus-daemon dbus gnome-keyring libsecret-tools
    python3 python3-secretstorage python3-dbus python3-gi python3-jwcrypto
    # libgcr's scripted prompter answers gnome-keyring prompts in tests.
    libgcr-base-3-1
    # The other Secret Service daemons the client is tested against;
    # kwalletd5 needs the QCA plugins for DH sessions.
    libkf5wallet-bin libqca-qt5-2-plugins keepassxc
    # tshark checks that --dump-dbus=pcap:FILE writes a capture it can dissect.
    tshark
    # Packaging and its tests: dpkg-shlibdeps, objdump, a C compiler for the
    # dependency probe, man --warnings, and the shells whose completion
    # scripts are checked.
    dpkg-dev binutils gcc libc6-dev man-db groff-base zsh fish
)

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}"
