#!/usr/bin/env bash
# make test-ops: the zero-downtime operations under steady load (tests/ops/), on a stack with the extra compose
# file given (short keep-alive timeouts, Prometheus in a tmpfs), then make down and that file's volume removed.
# Usage: test-ops.sh <ops test compose file>
set -euo pipefail
. "$(dirname "$0")/e2e.sh"
ops_compose=$1
say "operations tests: each under a steady load through nginx; figures in reports/ops-figures.md"
make up EXTRA_COMPOSE_FILES="$ops_compose"
teardown() {
  make down EXTRA_COMPOSE_FILES="$ops_compose" >/dev/null 2>&1 || true
  docker volume rm -f "${COMPOSE_PROJECT_NAME}_prometheus-ops-test" >/dev/null
  nothing_left
}
trap teardown EXIT
EXTRA_COMPOSE_FILES=$ops_compose API_GREEN_REPLICAS=2 COMPOSE_STACK="$COMPOSE_STACK -f $ops_compose" \
  node --test --test-concurrency=1 $TESTS/ops/
echo "Next: reports/ops-figures.md has one row per operation (docs/operations.md explains them)"
