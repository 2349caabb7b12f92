#!/bin/bash
# Fuzzes the auth.json parsers (format detection, plain JSON document,
# password-encrypted JWE) with libFuzzer and AddressSanitizer.
#
# usage: scripts/fuzz.sh [SECONDS]    (default 30; make fuzz runs this)
#
# The sanitized build goes to .build/fuzz, apart from the normal debug and
# release builds. The corpus starts from seeds that the replay build of
# claude-gate-fuzz writes, and grows in .build/fuzz/corpus across runs. A
# crashing input is saved as .build/fuzz/crash-*; replay it with
# "$(swift build --show-bin-path)/claude-gate-fuzz FILE".
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${1:-30}
SWIFT=${SWIFT:-swift}
SCRATCH=.build/fuzz
CORPUS=$SCRATCH/corpus

case "$DURATION" in
    ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number, got '$DURATION'" >&2; exit 2 ;;
esac

"$SWIFT" build --product claude-gate-fuzz
mkdir -p "$CORPUS"
"$("$SWIFT" build --show-bin-path)/claude-gate-fuzz" --write-seeds "$CORPUS"

"$SWIFT" build --scratch-path "$SCRATCH" -c release --product claude-gate-fuzz \
    --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING

# Swift's own backtracer would race libFuzzer's crash handler.
SWIFT_BACKTRACE=enable=no "$SCRATCH/release/claude-gate-fuzz" \
    -max_total_time="$DURATION" -max_len=4096 -timeout=10 \
    -artifact_prefix="$SCRATCH/" "$CORPUS"
