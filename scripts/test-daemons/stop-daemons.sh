#!/bin/bash
# Stops the processes one of the start-*.sh scripts started, by the PIDs it
# recorded, and removes the state directory.
#
# usage: stop-daemons.sh [--keep] [STATE_DIR]
#   STATE_DIR defaults to $CLAUDE_GATE_TEST_STATE_DIR; --keep leaves it on disk.
#
# Each process gets SIGTERM and, when it is still running 2 s later, SIGKILL:
# kwalletd5 and KeePassXC ignore SIGTERM while one of their dialogs is open.
set -u

keep=0
if [ "${1:-}" = "--keep" ]; then keep=1; shift; fi
state_dir=${1:-${CLAUDE_GATE_TEST_STATE_DIR:-}}
if [ -z "$state_dir" ] || [ ! -d "$state_dir" ]; then
    echo "stop-daemons.sh: state directory '$state_dir' not found" >&2
    exit 1
fi
state_dir=$(cd "$state_dir" && pwd)
case "$state_dir" in
    "${TMPDIR:-/tmp}"/*|/tmp/*) ;;
    *) echo "stop-daemons.sh: $state_dir is not under ${TMPDIR:-/tmp}; not touching it" >&2; exit 1 ;;
esac

# is_running PID STARTTIME: the same process (not a recycled PID), not a zombie.
is_running() {
    local fields
    fields=$(awk '{print $3, $22}' "/proc/$1/stat" 2> /dev/null) || return 1
    [ "${fields#* }" = "$2" ] && [ "${fields%% *}" != Z ]
}

status=0
# The daemons first, the prompter next, the bus last, so that no daemon sees
# its bus vanish while it still runs.
for name in gnome-keyring kwalletd keepassxc fake-service mock-prompter dbus; do
    pid_file="$state_dir/$name.pid"
    [ -f "$pid_file" ] || continue
    read -r pid start_time < "$pid_file"
    if is_running "$pid" "$start_time"; then
        kill -TERM "$pid" 2> /dev/null
        for _ in $(seq 1 40); do is_running "$pid" "$start_time" || break; sleep 0.05; done
        if is_running "$pid" "$start_time"; then
            kill -KILL "$pid" 2> /dev/null
            for _ in $(seq 1 20); do is_running "$pid" "$start_time" || break; sleep 0.05; done
        fi
        if is_running "$pid" "$start_time"; then
            echo "stop-daemons.sh: $name (PID $pid) is still running after SIGKILL" >&2
            status=1
            continue
        fi
    fi
    rm -f "$pid_file"
done

if [ "$keep" = 0 ] && [ "$status" = 0 ]; then
    rm -rf "$state_dir"
fi
exit $status
