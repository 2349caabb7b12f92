#!/bin/bash
# Writes seed inputs for the D-Bus decoder fuzz target: every message that
# claude-gate sends and receives while it logs in, reads, lists, tests the
# storage and logs out, captured with --dump-dbus=pcap:FILE.
#
# Secret values in the capture are zero bytes, so the seeds contain no
# secret. Run it through scripts/test-keyring.sh, which provides the keyring:
#
#   scripts/test-keyring.sh scripts/fuzz-seed-dbus.sh BINARY CORPUS_DIRECTORY
set -euo pipefail

if [ $# -ne 2 ] || [ -z "${CLAUDE_GATE_TEST_STATE_DIR:-}" ]; then
    echo "usage: scripts/test-keyring.sh $0 CLAUDE_GATE_BINARY CORPUS_DIRECTORY" >&2
    exit 2
fi
binary=$1
corpus=$2
capture_dir=$(mktemp -d "$CLAUDE_GATE_TEST_STATE_DIR/seeds.XXXXXX")
mkdir -p "$corpus"

export CLAUDE_GATE_KEYRING_SERVICE=claude-gate-fuzz-seeds CLAUDE_GATE_AUTH_STORAGE_TYPE=keyring
run() {  # run NAME ARGS...: one capture per command
    local name=$1
    shift
    "$binary" --dump-dbus="pcap:$capture_dir/$name.pcap" "$@" > /dev/null 2>&1 || true
}
printf 'sk-fuzz-seed-api-key\n' | run login-api auth login
printf '{"access":"a","refresh":"r","expires":1767225600}' | run login-oauth auth login --oauth --provider example
run token auth token
run status auth status
run storage-status auth storage status
run storage-test auth storage test
run token-missing auth token --provider absent
CLAUDE_GATE_SECRET_SESSION=plain run token-plain auth token
run logout auth logout

# Each pcap record is one message in wire format. The file name is the
# SHA-1 of its contents, the naming libFuzzer uses, so equal messages
# collapse into one seed.
/usr/bin/python3 - "$capture_dir" "$corpus" <<'PY'
import hashlib, os, struct, sys
capture_dir, corpus = sys.argv[1], sys.argv[2]
written = 0
for name in sorted(os.listdir(capture_dir)):
    data = open(os.path.join(capture_dir, name), "rb").read()
    offset = 24  # pcap file header
    while offset + 16 <= len(data):
        length = struct.unpack_from("<I", data, offset + 8)[0]
        message = data[offset + 16:offset + 16 + length]
        offset += 16 + length
        path = os.path.join(corpus, hashlib.sha1(message).hexdigest())
        if not os.path.exists(path):
            open(path, "wb").write(message)
            written += 1
print(f"fuzz-seed-dbus: wrote {written} new seeds to {corpus}", file=sys.stderr)
PY
