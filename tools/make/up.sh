#!/usr/bin/env bash
# make up, after its prerequisites: build the api image, start the stack and wait until every service is healthy,
# then give hash_consistent's ring its slots. Usage: up.sh [strategy]. Environment from make: COMPOSE_STACK, STACK_MODE.
set -euo pipefail
# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"
say "building the api image"
$COMPOSE_STACK build --quiet api
lb=${1:-}
say "starting the stack ($STACK_MODE mode${lb:+ LB=$lb})"
started=$(date +%s)
# shellcheck disable=SC2086 # the compose command is split into words on purpose
env ${lb:+LB_STRATEGY="$lb"} $COMPOSE_STACK up -d --wait --wait-timeout 180 --remove-orphans
echo "healthy in $(( $(date +%s) - started )) s"
COMPOSE=$COMPOSE_STACK "$(dirname "$0")/../ops/ring.sh" sync
