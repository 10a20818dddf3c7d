// The support table fails on time: every image pin in compose.yaml carries its upstream's end-of-support date (or
// its successor's release, or a date to look again), and this test fails once today is past one of them, so an
// upgrade can't be forgotten. The rule and its planted failures: tests/unit/pins.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readPins, supportProblems } from '../../tools/lib/pins.js';

test('every image pin in compose.yaml is inside its support today', () => {
  const pins = readPins();
  // Every pinned official image has a row: nginx, node, valkey, prometheus, the exporter, grafana, k6.
  assert.deepEqual(pins.map((p) => p.variable).sort(),
    ['GRAFANA_IMAGE', 'K6_IMAGE', 'NGINX_EXPORTER_IMAGE', 'NGINX_IMAGE', 'NODE_IMAGE', 'PROMETHEUS_IMAGE', 'VALKEY_IMAGE']);
  const today = new Date().toISOString().slice(0, 10);
  assert.deepEqual(supportProblems(pins, today), [], `on ${today}`);
});
