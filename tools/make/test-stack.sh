#!/usr/bin/env bash
# make test-stack: make up, the stack suite (tests/stack/) under load through nginx, then make down.
set -euo pipefail
. "$(dirname "$0")/e2e.sh"
say "stack tests"
make up
# Online, k6 itself runs first, so the dashboard test also finds k6's remote-written results.
if [ "$STACK_MODE" = online ]; then node tools/build/tools/loadrunner/src/k6ComposeRun.js --script 01-smoke --run-id test-stack; fi
trap stack_down EXIT
node --test --test-concurrency=1 $TESTS/stack/
