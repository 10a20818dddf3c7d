// tests/lib/inFlightOnLostNode.ts: the node-loss bound, from records and access-log lines planted here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressesOfReplicas, openOnAddresses, routesFromAccessLog } from '../lib/inFlightOnLostNode.js';
import type { RequestRecord } from '../../tools/loadrunner/src/index.js';

const log = (id: string, addr: string, servedBy: string): string =>
  `nginx.1.x@node1    | {"time":"t","request_id":"${id}","status":200,"upstream_addr":"${addr}","served_by":"${servedBy}"}`;
const record = (id: string, sentAtMs: number, durationMs: number, status: number | null): RequestRecord => ({
  name: 'r', method: 'POST', path: '/io', sentAtMs, durationMs, status, errorCode: null, expected: status === 200,
  servedBy: undefined, sentRequestId: id, answeredRequestId: id,
});

const lines = [
  log('a', '10.0.1.5:3000', 'api-2/0/31'), // before: tells api-2's address
  log('b', '10.0.1.6:3000', 'api-3/1/40'),
  log('c', '10.0.1.5:3000', ''), // open at the kill, on api-2: lost (502)
  log('d', '10.0.1.5:3000, 10.0.1.6:3000', 'api-3/0/40'), // open at the kill on api-2, retried on api-3
  log('e', '10.0.1.6:3000', 'api-3/0/40'), // open at the kill, on api-3
  log('f', '10.0.1.5:3000, 10.0.1.6:3000', 'api-3/0/40'), // sent after the kill
  'not json',
];

test('the requests open on the lost replicas at the kill are counted from the access log', () => {
  const routes = routesFromAccessLog(lines);
  assert.deepEqual(routes.get('d')?.addresses, ['10.0.1.5:3000', '10.0.1.6:3000']);
  const lostAddresses = addressesOfReplicas(routes, ['api-2']);
  assert.deepEqual([...lostAddresses], ['10.0.1.5:3000']);
  // The replacement task answers as api-2 from a new address after the kill: only requests answered before it count.
  const withReplacement = routesFromAccessLog([...lines, log('g', '10.0.1.9:3000', 'api-2/0/7')]);
  assert.deepEqual([...addressesOfReplicas(withReplacement, ['api-2'])].sort(), ['10.0.1.5:3000', '10.0.1.9:3000'], 'negative control: without the filter both count');
  assert.deepEqual([...addressesOfReplicas(withReplacement, ['api-2'], new Set(['a', 'b', 'c', 'd', 'e']))], ['10.0.1.5:3000']);
  const records = [record('a', 0, 10, 200), record('b', 0, 10, 200), record('c', 900, 2000, 502), record('d', 950, 3000, 200), record('e', 990, 500, 200), record('f', 1200, 10, 200)];
  const open = openOnAddresses(records, routes, lostAddresses, { lostAfterMs: 1000, lostBeforeMs: 1100 });
  assert.deepEqual(open.map((r) => r.sentRequestId), ['c', 'd']);
  // Planted: three failures where two requests were open on the lost node break the bound the test asserts.
  const failed = 3;
  assert.equal(failed <= open.length, false);
});
