#!/usr/bin/env bash
# make test-labs: every lab of docs/labs/ (or those of LABS="01 03") run as written on one stack, then make down.
# Usage: test-labs.sh [lab numbers]
set -euo pipefail
. "$(dirname "$0")/e2e.sh"
labs=${1:-}
say "workshop labs: the steps of docs/labs/NN-*.md on one stack${labs:+ (LABS=$labs)}"
make up
# shellcheck disable=SC2034 # read by the EXIT trap
started=$(date +%s)
trap 'stack_down; echo "make test-labs took $(( $(date +%s) - started )) s"' EXIT
LABS=$labs OFFLINE=$OFFLINE node --test --test-concurrency=1 $TESTS/labs/
