#!/bin/bash
# Starts gnome-keyring-daemon (secrets component only) on a private session
# bus with a throwaway HOME, and prints the environment to use it.
#
# usage: start-gnome-keyring.sh [-p PASSWORD] [-m "RESPONSE..."] [-n]
#   -p PASSWORD  password of the 'login' collection (default: test-password)
#   -m RESPONSES start libgcr's mock prompter first so that prompts complete;
#                RESPONSES are those of gcr-mock-prompter.py, space-separated
#   -n           no 'login' collection and no default alias: the daemon starts
#                without --unlock, as on a machine where no keyring exists yet
# stdout: export lines (DBUS_SESSION_BUS_ADDRESS, CLAUDE_GATE_TEST_STATE_DIR)
# stop:   stop-daemons.sh "$CLAUDE_GATE_TEST_STATE_DIR"
#
# Without -m no prompter exists on the bus, and gnome-keyring 42 completes
# every prompt at once with dismissed=true.
source "$(dirname "$0")/common.sh"

password=test-password responses="" create_login=1
while getopts "p:m:n" option; do
    case $option in
        p) password=$OPTARG ;;
        m) responses=$OPTARG ;;
        n) create_login=0 ;;
        *) echo "usage: $0 [-p PASSWORD] [-m RESPONSES] [-n]" >&2; exit 2 ;;
    esac
done

make_state_dir claude-gate-gnome-keyring
start_private_bus

if [ -n "$responses" ]; then
    printf '%s' "$responses" | "$PYTHON" "$SCRIPT_DIR/gcr-mock-prompter.py" \
        > "$STATE_DIR/mock-prompter.name" 2> "$STATE_DIR/mock-prompter.log" &
    record_process mock-prompter $!
    poll 10 test -s "$STATE_DIR/mock-prompter.name" || abort "the mock prompter did not start"
    GNOME_KEYRING_TEST_PROMPTER=$(head -n 1 "$STATE_DIR/mock-prompter.name")
    export GNOME_KEYRING_TEST_PROMPTER
fi

if [ "$create_login" = 1 ]; then
    # --unlock reads the password from stdin, then creates and unlocks 'login'.
    printf '%s' "$password" | gnome-keyring-daemon --foreground --unlock --components=secrets \
        > "$STATE_DIR/gnome-keyring.log" 2>&1 &
else
    gnome-keyring-daemon --foreground --components=secrets > "$STATE_DIR/gnome-keyring.log" 2>&1 < /dev/null &
fi
record_process gnome-keyring $!
poll 10 name_has_owner org.freedesktop.secrets || abort "gnome-keyring-daemon did not own org.freedesktop.secrets"

if [ "$create_login" = 1 ]; then
    login=/org/freedesktop/secrets/collection/login
    poll 10 collection_is_unlocked "$login" || abort "the login collection is missing or locked"
    # Without an explicit alias gnome-keyring still returns 'login' for
    # 'default'; setting it makes the alias file exist as on a desktop.
    bus_call --dest=org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.Secret.Service.SetAlias \
        string:default "objpath:$login" > /dev/null || abort "SetAlias(default, $login) failed"
    default_alias_is "$login" || abort "ReadAlias(default) does not return $login"
fi

say "bus $BUS_ADDRESS, gnome-keyring-daemon PID $(cut -d' ' -f1 "$STATE_DIR/gnome-keyring.pid")"
print_environment
