#!/usr/bin/env bash
# make test-faults: a stack recreated with CHAOS_ENABLED=true (the /chaos routes exist only then), the fault
# suite (tests/faults/) under steady load, then make down; the figures of the run printed at the end.
set -euo pipefail
. "$(dirname "$0")/e2e.sh"
say "fault tests: a stack with CHAOS_ENABLED=true, figures in reports/faults-figures.md"
CHAOS_ENABLED=true make up
mkdir -p reports
printf '| scenario | requests sent | failed | p99 before -> during | recovery |\n| --- | --- | --- | --- | --- |\n' >reports/faults-figures.md
trap stack_down EXIT
node --test --test-concurrency=1 $TESTS/faults/
printf '\nFigures of this run (reports/faults-figures.md):\n\n'
cat reports/faults-figures.md
