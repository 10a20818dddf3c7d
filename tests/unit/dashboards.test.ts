// The stack test runs every dashboard query against Prometheus; these check the pure rewrite that
// turns Grafana's variables into PromQL Prometheus accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { panelQueries, substituteVariables } from '../lib/dashboards.js';

test('Grafana interval variables become concrete durations', () => {
  assert.equal(
    substituteVariables('rate(x[$__rate_interval]) + changes(y[$__range]) + z[$__interval]'),
    'rate(x[1m]) + changes(y[5m]) + z[15s]',
  );
});

test('dashboard variables, in every Grafana syntax, match everything', () => {
  assert.equal(substituteVariables('x{replica=~"$replica", worker=~"${worker}", testid=~"${testid:regex}"}'),
    'x{replica=~".*", worker=~".*", testid=~".*"}');
});

test('every query of the provisioned dashboards is free of Grafana variables after the rewrite', () => {
  const queries = panelQueries();
  assert.ok(queries.length > 0);
  for (const q of queries) assert.doesNotMatch(q.expr, /\$/, `${q.panel}: ${q.expr}`);
  assert.ok(queries.some((q) => q.needsK6) && queries.some((q) => !q.needsK6));
});
