#!/usr/bin/env bash
# make test-swarm: a local swarm with 3 api tasks (one per node), the swarm suite (tests/swarm/) under steady load,
# then the swarm removed. Usage: test-swarm.sh <test overlay>. Environment: SWARM_NAME, SWARM_NODES from make.
set -euo pipefail
. "$(dirname "$0")/e2e.sh"
say "swarm tests: a local swarm $SWARM_NAME of $SWARM_NODES nodes; figures in reports/swarm-figures.md"
mkdir -p reports
printf '| operation | requests sent | failed | p99 before -> during | duration | notes |\n| --- | --- | --- | --- | --- | --- |\n' >reports/swarm-figures.md
trap 'make swarm-down >/dev/null 2>&1' EXIT
started=$(date +%s)
export SWARM_EXTRA_OVERLAYS=$1
make swarm-up SWARM_API_REPLICAS=3 || exit 1
echo "swarm up in $(( $(date +%s) - started )) s"
rc=0
OFFLINE=$OFFLINE node --test --test-concurrency=1 $TESTS/swarm/ || rc=$?
printf '\nFigures of this run (reports/swarm-figures.md):\n\n'
cat reports/swarm-figures.md
echo "make test-swarm: $(( $(date +%s) - started )) s (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
exit $rc
