#!/bin/bash
# Runs a command against a private D-Bus session bus with an unlocked
# gnome-keyring-daemon, in a throwaway HOME, and stops exactly the processes
# it started. The user's own session bus, keyring and HOME are never used.
#
# usage: scripts/test-keyring.sh COMMAND [ARGS...]
#
# The command runs with these variables set:
#   DBUS_SESSION_BUS_ADDRESS and CLAUDE_GATE_TEST_BUS_ADDRESS  the private bus
#   CLAUDE_GATE_TEST_STATE_DIR  a 0700 directory for the run; HOME is under it
# The bus has no service activation, so nothing can start a second daemon
# (or any daemon that writes into the real HOME). The daemon is started and
# stopped by scripts/test-daemons/, which the tests also use for the other
# daemons. CLAUDE_GATE_TEST_KEEP_STATE=1 keeps the state directory.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

log() { echo "test-keyring: $*" >&2; }

for tool in dbus-daemon gnome-keyring-daemon dbus-send; do
    if ! command -v "$tool" > /dev/null; then
        log "$tool is not installed; run: scripts/install-dependencies.sh (as root)"
        exit 1
    fi
done

daemons=$(cd "$(dirname "$0")/test-daemons" && pwd)
exports=$("$daemons/start-gnome-keyring.sh") || { log "the private gnome-keyring did not start"; exit 1; }
eval "$exports"
state_dir=$CLAUDE_GATE_TEST_STATE_DIR

cleanup() {
    if [ "${CLAUDE_GATE_TEST_KEEP_STATE:-0}" = 1 ]; then
        "$daemons/stop-daemons.sh" --keep "$state_dir" || true
        log "state kept in $state_dir"
    else
        "$daemons/stop-daemons.sh" "$state_dir" || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export CLAUDE_GATE_TEST_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS"
export HOME="$state_dir/home" XDG_RUNTIME_DIR="$state_dir/run" XDG_DATA_HOME="$state_dir/home/.local/share" \
       XDG_CONFIG_HOME="$state_dir/home/.config" XDG_CACHE_HOME="$state_dir/home/.cache"
unset DISPLAY WAYLAND_DISPLAY GNOME_KEYRING_CONTROL SSH_AUTH_SOCK GNOME_KEYRING_TEST_PROMPTER

set +e
"$@"
status=$?
set -e
exit $status
