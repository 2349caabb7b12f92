#!/bin/bash
# Shows the main job on a private keyring: a token stored by claude-gate is
# read by secret-tool, and a token stored by secret-tool is read by
# claude-gate. Run it through scripts/test-keyring.sh, which provides the
# private bus, gnome-keyring and a throwaway HOME:
#
#   scripts/test-keyring.sh scripts/demo.sh
set -euo pipefail

if [ -z "${CLAUDE_GATE_TEST_BUS_ADDRESS:-}" ]; then
    echo "demo: run this through scripts/test-keyring.sh so that it uses a private keyring" >&2
    exit 2
fi

binary=${CLAUDE_GATE_BINARY:-$(command -v claude-gate || echo .build/release/claude-gate)}
step() { printf '\n$ %s\n' "$*"; }

step "printf 'demo-api-key-0123456789\\n' | claude-gate auth login --provider anthropic"
printf 'demo-api-key-0123456789\n' | "$binary" auth login --provider anthropic

step "secret-tool lookup service claude-gate username anthropic"
secret-tool lookup service claude-gate username anthropic
echo

step "printf '%s' '{\"type\":\"api\",\"key\":\"stored-by-secret-tool\"}' | secret-tool store --label demo service claude-gate username other"
printf '%s' '{"type":"api","key":"stored-by-secret-tool"}' | secret-tool store --label demo service claude-gate username other

step "claude-gate auth token --provider other"
"$binary" auth token --provider other

step "claude-gate auth status"
"$binary" auth status

step "claude-gate auth storage status"
"$binary" auth storage status

step "claude-gate auth logout"
"$binary" auth logout
