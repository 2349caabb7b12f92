#!/bin/bash
# Starts kwalletd5 on a private session bus with a throwaway HOME and an open
# wallet 'kdewallet' behind the 'default' alias, and prints the environment
# to use it.
#
# usage: start-kwallet.sh [-p PASSWORD]
# stdout: export lines (DBUS_SESSION_BUS_ADDRESS, CLAUDE_GATE_TEST_STATE_DIR)
# stop:   stop-daemons.sh "$CLAUDE_GATE_TEST_STATE_DIR"
#
# kwalletd5 (KF5 5.103) shows Qt dialogs for a first start, a new wallet and
# a password. Offscreen they cannot be answered and the daemon blocks, so the
# wallet is created and opened with org.kde.KWallet.pamOpen, the call that
# pam_kwallet5 makes at login, and the daemon is restarted once in between
# because it lists only the wallets that exist when it starts. DH sessions
# need the QCA OpenSSL plugin (libqca-qt5-2-plugins).
source "$(dirname "$0")/common.sh"

password=test-password
while getopts "p:" option; do
    case $option in
        p) password=$OPTARG ;;
        *) echo "usage: $0 [-p PASSWORD]" >&2; exit 2 ;;
    esac
done

make_state_dir claude-gate-kwallet
start_private_bus
printf '[Wallet]\nEnabled=true\nFirst Use=false\nDefault Wallet=kdewallet\n' > "$HOME/.config/kwalletrc"

# pamOpen takes the PBKDF2-SHA512 hash of the password, 56 bytes, as a byte
# array. The salt is a fixed test value because the wallet lives only as long
# as the test.
open_wallet_with_pam() {
    local hash
    # The password goes through stdin because a command line is visible to
    # every process on the machine.
    hash=$(printf '%s' "$password" | "$PYTHON" -c '
import hashlib, sys
digest = hashlib.pbkdf2_hmac("sha512", sys.stdin.buffer.read(), b"claude-gate-test" * 4, 50000, 56)
print(",".join(str(byte) for byte in digest))')
    bus_call --dest=org.kde.kwalletd5 /modules/kwalletd5 org.kde.KWallet.pamOpen \
        string:kdewallet "array:byte:$hash" int32:0 > /dev/null
}

start_kwalletd() {
    kwalletd5 >> "$STATE_DIR/kwalletd.log" 2>&1 < /dev/null &
    record_process kwalletd $!
    poll 10 name_has_owner org.freedesktop.secrets || abort "kwalletd5 did not own org.freedesktop.secrets"
}

# First run: create kdewallet.kwl, then stop the daemon.
start_kwalletd
open_wallet_with_pam || abort "pamOpen failed to create the wallet"
poll 10 test -s "$HOME/.local/share/kwalletd/kdewallet.kwl" || abort "kwalletd5 did not write kdewallet.kwl"
read -r pid _ < "$STATE_DIR/kwalletd.pid"
kill -TERM "$pid"
poll 10 bash -c '! kill -0 '"$pid" || abort "kwalletd5 (PID $pid) did not exit after SIGTERM"
rm -f "$STATE_DIR/kwalletd.pid"

# Second run: open the wallet, then unlock the collection through the Secret
# Service API, which completes without a dialog once the wallet is open.
start_kwalletd
open_wallet_with_pam || abort "pamOpen failed to open the wallet"
collection=/org/freedesktop/secrets/collection/kdewallet
"$PYTHON" - "$collection" <<'PY' || abort "Unlock($collection) did not complete"
import sys
import dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
bus = dbus.SessionBus()
service = dbus.Interface(bus.get_object("org.freedesktop.secrets", "/org/freedesktop/secrets"),
                         "org.freedesktop.Secret.Service")
_, prompt = service.Unlock([dbus.ObjectPath(sys.argv[1])])
if prompt == "/":
    sys.exit(0)
loop = GLib.MainLoop()
outcome = {}
def completed(dismissed, result):
    outcome["dismissed"] = bool(dismissed)
    loop.quit()
bus.add_signal_receiver(completed, "Completed", "org.freedesktop.Secret.Prompt", path=prompt)
dbus.Interface(bus.get_object("org.freedesktop.secrets", prompt), "org.freedesktop.Secret.Prompt").Prompt("")
GLib.timeout_add(5000, loop.quit)
loop.run()
sys.exit(0 if outcome.get("dismissed") is False else 1)
PY
collection_is_unlocked "$collection" || abort "$collection is still locked"
default_alias_is "$collection" || abort "ReadAlias(default) does not return $collection"

say "bus $BUS_ADDRESS, kwalletd5 PID $(cut -d' ' -f1 "$STATE_DIR/kwalletd.pid")"
print_environment
