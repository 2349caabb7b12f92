#!/bin/bash
# Starts fake-secret-service.py with one fault scenario on a private session
# bus and prints the environment to use it.
#
# usage: start-fake-service.sh SCENARIO
#   SCENARIO is one of those listed at the top of fake-secret-service.py
# stdout: export lines (DBUS_SESSION_BUS_ADDRESS, CLAUDE_GATE_TEST_STATE_DIR)
# stop:   stop-daemons.sh "$CLAUDE_GATE_TEST_STATE_DIR"
source "$(dirname "$0")/common.sh"

if [ $# -ne 1 ]; then
    echo "usage: $0 SCENARIO" >&2
    exit 2
fi

make_state_dir claude-gate-fake-service
start_private_bus
"$PYTHON" "$SCRIPT_DIR/fake-secret-service.py" "$1" "$STATE_DIR" \
    > "$STATE_DIR/fake-service.ready" 2> "$STATE_DIR/fake-service.log" < /dev/null &
record_process fake-service $!
poll 10 test -s "$STATE_DIR/fake-service.ready" || abort "fake-secret-service.py did not start (scenario '$1')"
poll 10 name_has_owner org.freedesktop.secrets || abort "fake-secret-service.py did not own org.freedesktop.secrets"

say "bus $BUS_ADDRESS, fake-secret-service.py ($1) PID $(cut -d' ' -f1 "$STATE_DIR/fake-service.pid")"
print_environment
