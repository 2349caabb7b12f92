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
# (or any daemon that writes into the real HOME).
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

log() { echo "test-keyring: $*" >&2; }

for tool in dbus-daemon gnome-keyring-daemon dbus-send; do
    if ! command -v "$tool" > /dev/null; then
        log "$tool is not installed; run: apt-get install dbus-daemon dbus gnome-keyring"
        exit 1
    fi
done

STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/claude-gate-test.XXXXXX")
chmod 700 "$STATE_DIR"
mkdir -p "$STATE_DIR/home/.local/share" "$STATE_DIR/home/.config" "$STATE_DIR/home/.cache" "$STATE_DIR/run"
chmod 700 "$STATE_DIR/run"

BUS_PID=""
KEYRING_PID=""

# Each PID is checked against the start time recorded when it was started,
# so that a recycled PID is never signalled.
start_time() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null || true; }
BUS_START="" KEYRING_START=""

stop_process() {  # stop_process PID START_TIME NAME
    local pid=$1 start=$2 name=$3
    [ -n "$pid" ] || return 0
    [ "$(start_time "$pid")" = "$start" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
        [ "$(start_time "$pid")" = "$start" ] || return 0
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
    log "killed $name ($pid) after it ignored SIGTERM"
}

cleanup() {
    stop_process "$KEYRING_PID" "$KEYRING_START" gnome-keyring-daemon
    stop_process "$BUS_PID" "$BUS_START" dbus-daemon
    wait 2>/dev/null || true
    if [ "${CLAUDE_GATE_TEST_KEEP_STATE:-0}" = 1 ]; then
        log "state kept in $STATE_DIR"
    else
        rm -rf "$STATE_DIR"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() {  # wait_for SECONDS COMMAND...: polls every 50 ms
    local tries=$(( $1 * 20 ))
    shift
    for _ in $(seq 1 "$tries"); do
        if "$@" > /dev/null 2>&1; then return 0; fi
        sleep 0.05
    done
    return 1
}

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

# --nofork with --print-address: a forked daemon keeps the pipe open.
dbus-daemon --config-file="$STATE_DIR/bus.conf" --address="unix:path=$STATE_DIR/bus" \
    --nofork --nopidfile --print-address=1 > "$STATE_DIR/bus.address" 2> "$STATE_DIR/dbus.log" < /dev/null &
BUS_PID=$!
BUS_START=$(start_time "$BUS_PID")
wait_for 10 test -s "$STATE_DIR/bus.address" || { log "dbus-daemon did not start"; cat "$STATE_DIR/dbus.log" >&2; exit 1; }
BUS_ADDRESS=$(head -n 1 "$STATE_DIR/bus.address")

export DBUS_SESSION_BUS_ADDRESS="$BUS_ADDRESS" CLAUDE_GATE_TEST_BUS_ADDRESS="$BUS_ADDRESS"
export CLAUDE_GATE_TEST_STATE_DIR="$STATE_DIR"
export HOME="$STATE_DIR/home" XDG_RUNTIME_DIR="$STATE_DIR/run" XDG_DATA_HOME="$STATE_DIR/home/.local/share" \
       XDG_CONFIG_HOME="$STATE_DIR/home/.config" XDG_CACHE_HOME="$STATE_DIR/home/.cache"
unset DISPLAY WAYLAND_DISPLAY GNOME_KEYRING_CONTROL SSH_AUTH_SOCK GNOME_KEYRING_TEST_PROMPTER

SEND=(dbus-send --session --print-reply --reply-timeout=5000)

# --unlock reads the password from stdin and creates and unlocks 'login'.
printf '%s' "test-password" | gnome-keyring-daemon --foreground --unlock --components=secrets \
    > "$STATE_DIR/gnome-keyring.log" 2>&1 &
KEYRING_PID=$!
KEYRING_START=$(start_time "$KEYRING_PID")

owns_secrets() {
    "${SEND[@]}" --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
        string:org.freedesktop.secrets | grep -q "boolean true"
}
wait_for 10 owns_secrets || { log "gnome-keyring-daemon did not take org.freedesktop.secrets"; cat "$STATE_DIR/gnome-keyring.log" >&2; exit 1; }

LOGIN=/org/freedesktop/secrets/collection/login
login_unlocked() {
    "${SEND[@]}" --dest=org.freedesktop.secrets "$LOGIN" org.freedesktop.DBus.Properties.Get \
        string:org.freedesktop.Secret.Collection string:Locked | grep -q "boolean false"
}
wait_for 10 login_unlocked || { log "the login collection is missing or locked"; exit 1; }

# Point the 'default' alias at 'login' explicitly.
"${SEND[@]}" --dest=org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.Secret.Service.SetAlias \
    string:default objpath:$LOGIN > /dev/null

log "bus $BUS_ADDRESS, dbus-daemon $BUS_PID, gnome-keyring-daemon $KEYRING_PID"
set +e
"$@"
status=$?
set -e
exit $status
