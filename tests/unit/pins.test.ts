// The support table's rule (tools/lib/pins.ts) with the clock injected: the planted failures a real date would
// only show months from now. tests/static/support.test.ts runs the same rule on compose.yaml with today's date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePinTable, pinnedVersion, supportProblems, type Pin } from '../../tools/lib/pins.js';

const prometheus: Pin = {
  variable: 'PROMETHEUS_IMAGE', image: 'prom/prometheus:v3.13.4', standIn: '3.5.3', line: '3.13', until: '2027-07-31', kind: 'eol',
};

test('a pin inside its support passes, up to and including its last day', () => {
  assert.deepEqual(supportProblems([prometheus], '2026-12-07'), []);
  assert.deepEqual(supportProblems([prometheus], '2027-07-31'), []);
});

test('planted failure: the day after the date, the table fails, naming the pin and the date', () => {
  const problems = supportProblems([prometheus], '2027-08-01');
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /PROMETHEUS_IMAGE: prom\/prometheus:v3\.13\.4 is past 2027-07-31 \(eol/);
});

test('the pin that went out of support on 2026-07-31 (Prometheus 3.5 LTS) fails on 2026-12-07', () => {
  const old: Pin = { ...prometheus, image: 'prom/prometheus:v3.5.3', line: '3.5', until: '2026-07-31' };
  assert.match(supportProblems([old], '2026-12-07').join('\n'), /past 2026-07-31/);
});

test('a bump to another line without its date fails (Dependabot moves the tag, not the comment)', () => {
  const bumped = { ...prometheus, image: 'prom/prometheus:v3.14.0' };
  assert.match(supportProblems([bumped], '2026-12-07').join('\n'), /pins 3\.14\.0, but its support date is for the 3\.13 line/);
  // A patch bump stays on the line.
  assert.deepEqual(supportProblems([{ ...prometheus, image: 'prom/prometheus:v3.13.9' }], '2026-12-07'), []);
  // A line is matched whole: 3.1 is not 3.13.
  assert.match(supportProblems([{ ...prometheus, line: '3.1' }], '2026-12-07').join('\n'), /for the 3\.1 line/);
});

test('a date that is no date fails', () => {
  assert.match(supportProblems([{ ...prometheus, until: '2027-13-45' }], '2026-12-07').join('\n'), /not a YYYY-MM-DD date/);
});

test('parsePinTable and pinnedVersion read image-versions.sh --table', () => {
  const [pin] = parsePinTable('NGINX_IMAGE\tnginx:1.30.8-alpine\t1.30.6\t1.30\t2027-04-14\tsuccessor\n');
  assert.deepEqual(pin, { variable: 'NGINX_IMAGE', image: 'nginx:1.30.8-alpine', standIn: '1.30.6', line: '1.30', until: '2027-04-14', kind: 'successor' });
  assert.equal(pinnedVersion('node:26.12.1-alpine'), '26.12.1');
});
