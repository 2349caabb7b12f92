#!/bin/bash
# Starts KeePassXC headless on a private session bus with a throwaway HOME
# and a new database whose root group is the 'default' collection, and
# prints the environment to use it.
#
# usage: start-keepassxc.sh [-p PASSWORD]
# stdout: export lines (DBUS_SESSION_BUS_ADDRESS, CLAUDE_GATE_TEST_STATE_DIR)
# stop:   stop-daemons.sh "$CLAUDE_GATE_TEST_STATE_DIR"
#
# KeePassXC 2.7 serves the Secret Service API only for a group named in the
# database's custom data (FDO_SECRETS_EXPOSED_GROUP), so the database is
# imported from XML that sets it. Access and delete confirmations are off in
# keepassxc.ini because they cannot be answered offscreen. A dialog that
# does open blocks KeePassXC until it is killed with SIGKILL.
source "$(dirname "$0")/common.sh"

password=test-password
while getopts "p:" option; do
    case $option in
        p) password=$OPTARG ;;
        *) echo "usage: $0 [-p PASSWORD]" >&2; exit 2 ;;
    esac
done

make_state_dir claude-gate-keepassxc
start_private_bus
mkdir -p "$HOME/.config/keepassxc"

# The root group's UUID in base64 is AAAAAAAAAAAAAAAAAAAAAQ==, the same UUID
# that the custom data names in braces.
cat > "$STATE_DIR/database.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<KeePassFile>
  <Meta>
    <DatabaseName>claude-gate-test</DatabaseName>
    <CustomData>
      <Item><Key>FDO_SECRETS_EXPOSED_GROUP</Key><Value>{00000000-0000-0000-0000-000000000001}</Value></Item>
    </CustomData>
  </Meta>
  <Root><Group><UUID>AAAAAAAAAAAAAAAAAAAAAQ==</UUID><Name>claude-gate-test</Name></Group></Root>
</KeePassFile>
XML
# -t 100: 100 ms of key derivation keeps the start fast.
printf '%s\n%s\n' "$password" "$password" \
    | keepassxc-cli import -q -p -t 100 "$STATE_DIR/database.xml" "$STATE_DIR/database.kdbx" \
        > "$STATE_DIR/keepassxc-cli.log" 2>&1 \
    || abort "keepassxc-cli import failed"

cat > "$HOME/.config/keepassxc/keepassxc.ini" <<'INI'
[General]
ConfigVersion=2
SingleInstance=false
OpenPreviousDatabasesOnStartup=false
RememberLastDatabases=false
AutoSaveAfterEveryChange=true

[GUI]
ShowTrayIcon=false
CheckForUpdates=false
MinimizeOnStartup=false

[Security]
LockDatabaseIdle=false
LockDatabaseScreenLock=false

[FdoSecrets]
Enabled=true
ShowNotification=false
ConfirmAccessItem=false
ConfirmDeleteItem=false
INI

printf '%s' "$password" | keepassxc --pw-stdin "$STATE_DIR/database.kdbx" > "$STATE_DIR/keepassxc.log" 2>&1 &
record_process keepassxc $!

# KeePassXC names the collection after the database file.
collection=/org/freedesktop/secrets/collection/database
poll 20 collection_is_unlocked "$collection" || abort "$collection is missing or locked"
default_alias_is "$collection" || abort "ReadAlias(default) does not return $collection"

say "bus $BUS_ADDRESS, keepassxc PID $(cut -d' ' -f1 "$STATE_DIR/keepassxc.pid")"
print_environment
