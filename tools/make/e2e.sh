# shellcheck shell=bash
# What the end-to-end test scripts (test-*.sh here) share. Sourced, not run. They run from the repository root,
# with make's environment: COMPOSE_STACK, COMPOSE_PROJECT_NAME, STACK_MODE and the ports.
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
# shellcheck source=../lib/common.sh
. tools/lib/common.sh
# The compiled suites (make tooling builds them).
# shellcheck disable=SC2034 # read by the scripts that source this file
TESTS=tools/build/tests
# The labs and the swarm suite take OFFLINE=1|0 rather than the mode's name.
# shellcheck disable=SC2034 # read by the scripts that source this file
OFFLINE=$([ "$STACK_MODE" = offline ] && echo 1 || echo 0)

# Fails when any container of the project is still running: a suite must leave nothing behind.
nothing_left() {
  local left
  left=$(docker ps -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME")
  if [ -n "$left" ]; then echo "containers left running after down: $left"; exit 1; fi
}

# The suites' EXIT trap: make down (with the given variables), then nothing may be left running.
stack_down() {
  make down "$@" >/dev/null 2>&1 || true
  nothing_left
}
