#!/usr/bin/env bash
# make urls: where the running stack answers. Usage: urls.sh <CA file to name for curl>
# Environment from make: HTTP_PORT, HTTPS_PORT, PROMETHEUS_PORT, GRAFANA_PORT, STACK_MODE, COMPOSE_STACK.
set -euo pipefail
printf '\n  api (through nginx)  http://127.0.0.1:%s/whoami\n' "$HTTP_PORT"
printf '  api over HTTPS, h2   https://localhost:%s/whoami  (curl --cacert %s)\n' "$HTTPS_PORT" "$1"
printf '  Prometheus           http://127.0.0.1:%s/targets\n' "$PROMETHEUS_PORT"
if [ "$STACK_MODE" = online ]; then
  printf '  Grafana              http://127.0.0.1:%s/d/load-distribution  (user admin, password in .secrets/grafana-admin-password)\n' "$GRAFANA_PORT"
else
  printf '  Grafana              not available offline\n'
fi
printf '  strategy             %s\n\nNext: make loadtest   (then make lb LB=least_conn, make scale N=5, make ps)\n' \
  "$($COMPOSE_STACK exec -T nginx switch-lb-strategy --show 2>/dev/null || echo unknown)"
