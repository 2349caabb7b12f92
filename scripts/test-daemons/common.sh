# Shared helpers for the start-*.sh scripts in this directory. Source it,
# do not run it.
#
# Every script creates one state directory under ${TMPDIR:-/tmp}, starts a
# dbus-daemon without service activation in it, starts the daemon under test
# with HOME and the XDG directories inside the state directory, and records
# each process as "PID STARTTIME" in STATE/NAME.pid so that stop-daemons.sh
# signals exactly those processes and never a recycled PID.

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

say() { echo "$(basename "$0"): $*" >&2; }

# make_state_dir PREFIX: creates the state directory and its fake home.
make_state_dir() {
    STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    chmod 700 "$STATE_DIR"
    mkdir -p "$STATE_DIR/home/.config" "$STATE_DIR/home/.local/share" "$STATE_DIR/home/.cache" "$STATE_DIR/run"
    chmod 700 "$STATE_DIR/run"
}

# record_process NAME PID: writes the PID and its kernel start time.
record_process() {
    local start_time
    start_time=$(awk '{print $22}' "/proc/$2/stat")
    echo "$2 $start_time" > "$STATE_DIR/$1.pid"
}

# poll SECONDS COMMAND...: runs COMMAND every 50 ms until it succeeds.
poll() {
    local tries=$(( $1 * 20 ))
    shift
    while [ "$tries" -gt 0 ]; do
        if "$@" > /dev/null 2>&1; then return 0; fi
        sleep 0.05
        tries=$(( tries - 1 ))
    done
    return 1
}

# abort MESSAGE: prints MESSAGE and the logs, stops what was started, exits 1.
abort() {
    say "failed: $*"
    local log
    for log in "$STATE_DIR"/*.log; do
        [ -s "$log" ] && sed "s|^|  $(basename "$log"): |" "$log" >&2
    done
    "$SCRIPT_DIR/stop-daemons.sh" --keep "$STATE_DIR" || true
    exit 1
}

# start_private_bus: starts dbus-daemon on a socket in the state directory and
# exports the environment every later process must run with. The bus has no
# <servicedir>, so nothing is ever activated with this environment.
start_private_bus() {
    cat > "$STATE_DIR/bus.conf" <<'CONF'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
    # --nofork: a forked bus keeps the pipe of --print-address open.
    dbus-daemon --config-file="$STATE_DIR/bus.conf" --address="unix:path=$STATE_DIR/bus" \
        --nofork --nopidfile --print-address=1 > "$STATE_DIR/bus.address" 2> "$STATE_DIR/dbus.log" < /dev/null &
    record_process dbus $!
    poll 10 test -s "$STATE_DIR/bus.address" || abort "dbus-daemon did not print its address"
    BUS_ADDRESS=$(head -n 1 "$STATE_DIR/bus.address")

    export DBUS_SESSION_BUS_ADDRESS="$BUS_ADDRESS" HOME="$STATE_DIR/home" XDG_RUNTIME_DIR="$STATE_DIR/run" \
        XDG_CONFIG_HOME="$STATE_DIR/home/.config" XDG_DATA_HOME="$STATE_DIR/home/.local/share" \
        XDG_CACHE_HOME="$STATE_DIR/home/.cache" QT_QPA_PLATFORM=offscreen
    unset DISPLAY WAYLAND_DISPLAY GNOME_KEYRING_CONTROL SSH_AUTH_SOCK GNOME_KEYRING_TEST_PROMPTER
}

# bus_call ARGS...: one method call on the private bus, reply printed.
bus_call() {
    dbus-send --session --print-reply --reply-timeout=5000 "$@"
}

# name_has_owner NAME: succeeds when NAME is owned on the private bus.
name_has_owner() {
    bus_call --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner "string:$1" | grep -q "boolean true"
}

# collection_is_unlocked PATH: succeeds when the collection's Locked is false.
collection_is_unlocked() {
    bus_call --dest=org.freedesktop.secrets "$1" org.freedesktop.DBus.Properties.Get \
        string:org.freedesktop.Secret.Collection string:Locked | grep -q "boolean false"
}

# default_alias_is PATH: succeeds when ReadAlias("default") returns PATH.
default_alias_is() {
    bus_call --dest=org.freedesktop.secrets /org/freedesktop/secrets \
        org.freedesktop.Secret.Service.ReadAlias string:default | grep -q "object path \"$1\""
}

# print_environment: the lines a caller evaluates or parses.
print_environment() {
    echo "export DBUS_SESSION_BUS_ADDRESS='$BUS_ADDRESS'"
    echo "export CLAUDE_GATE_TEST_STATE_DIR='$STATE_DIR'"
}
