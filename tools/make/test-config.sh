#!/usr/bin/env bash
# make test-config: the static checks, no stack started. compose config, nginx -t under every strategy file,
# promtool on the config and the rules' tests, the static suite (tests/static/), then make k8s-validate.
set -euo pipefail
. "$(dirname "$0")/e2e.sh"
say "compose config"
$COMPOSE_STACK config --quiet
say "nginx -t for every strategy"
for s in $(tools/make/strategies.sh); do
  printf '  %-12s ' "$s"
  # Captured before grep reads it: `cmd | grep -q` under pipefail fails at random when grep exits at its first
  # match and the writer gets SIGPIPE.
  out=$(LB_STRATEGY=$s $COMPOSE_STACK run --rm --no-deps -T nginx nginx -t 2>&1) || true
  if grep -q 'test is successful' <<<"$out"; then echo ok; else echo FAILED; echo "$out"; exit 1; fi
done
say "promtool check config / test rules"
$COMPOSE_STACK run --rm --no-deps -T --entrypoint promtool prometheus check config /etc/prometheus/prometheus.yml
$COMPOSE_STACK run --rm --no-deps -T --entrypoint sh prometheus -c 'promtool test rules /etc/prometheus/tests/*.test.yml'
say "static checks of compose, versions and dashboards"
node --test $TESTS/static/
make k8s-validate
