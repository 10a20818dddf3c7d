#!/usr/bin/env bash
# make loadtest: one scenario through nginx, on the topology the stack runs now. Online k6 (the compose k6
# service), offline the Node load runner with the same scenario and summary; a non-zero exit when thresholds fail.
# Usage: loadtest.sh <scenario> <run id>. Environment from make: STACK_MODE, HTTP_PORT, PROMETHEUS_PORT, and
# optionally EXPECTED_REPLICAS/EXPECTED_WORKERS (both or neither; read from the stack when not given) and K6_SCRIPT.
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario=$1 run_id=$2
build=tools/build/tools/loadrunner/src
# The workers Prometheus scrapes, of the api containers that run (tools/lib/liveWorkers.ts): replica numbers grow
# across deploys, so no fixed default could be right.
topology=$(node $build/liveTopology.js --prometheus "http://127.0.0.1:$PROMETHEUS_PORT") || exit 2
eval "export $topology"
if [ "$STACK_MODE" = online ]; then
  script=${K6_SCRIPT:-$(node $build/cli.js --scenario "$scenario" --k6-script)} || exit 2
  node $build/k6ComposeRun.js --script "$script" --run-id "$run_id"
else
  echo "offline mode: k6 is not available, running the Node load runner with the same scenario and summary"
  mkdir -p reports
  node $build/cli.js --scenario "$scenario" --base-url "http://127.0.0.1:$HTTP_PORT" --run-id "$run_id" \
    --json "reports/$run_id-$scenario.json" --markdown "reports/$run_id-$scenario.md"
fi
printf '\nNext: look at the per-worker split above, Prometheus (http://127.0.0.1:%s) or Grafana; try make lb LB=least_conn and run it again.\n' "$PROMETHEUS_PORT"
