// The operations harness must see failures when there are some, or every "0 failed" it reports proves nothing.
// A small loopback server plays the stack: it echoes X-Request-Id like nginx does, and the "operation" can make
// it reset connections or answer with another request's id.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertNothingLost, formatOperationReport, underSteadyLoad } from '../lib/steadyLoad.js';

const behaviour = { resetConnections: false, wrongId: false, pid: 100 };
let server: http.Server;
let baseUrl: string;

before(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (behaviour.resetConnections) {
        req.socket.destroy();
        return;
      }
      const id = behaviour.wrongId ? 'someone-else' : String(req.headers['x-request-id'] ?? '');
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': id, 'x-served-by': `api-1/0/${behaviour.pid}` });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const quick = { ratePerSec: 50, baselineSec: 1, settleSec: 0.5 } as const;

test('a healthy target: nothing lost, every id answered once, the operation is timed and its new pid seen', async () => {
  const { value, report } = await underSteadyLoad('healthy', async () => {
    await sleep(500);
    behaviour.pid = 200; // "the workers were replaced"
    return 'done';
  }, { baseUrl, ...quick });
  behaviour.pid = 100;
  console.log(formatOperationReport(report));
  assert.equal(value, 'done');
  assertNothingLost(report);
  assert.ok(report.sent >= 80, `sent ${report.sent}`);
  assert.ok(report.operationSec >= 0.45 && report.operationSec < 2, `operationSec ${report.operationSec}`);
  assert.deepEqual(report.servedByBefore, ['api-1/0/100']);
  assert.ok(report.servedByAfter.includes('api-1/0/200'), `after: ${report.servedByAfter.join(' ')}`);
  assert.ok(report.p99BeforeMs !== null && report.p99DuringMs !== null);
});

test('connections reset during the operation are counted as failures and fail the assertion', async () => {
  const { report } = await underSteadyLoad('resets', async () => {
    behaviour.resetConnections = true;
    await sleep(400);
    behaviour.resetConnections = false;
  }, { baseUrl, ...quick });
  console.log(formatOperationReport(report));
  assert.ok(report.socketErrors > 0, `socket errors ${report.socketErrors}`);
  assert.ok((report.failedByMethod.GET ?? 0) + (report.failedByMethod.POST ?? 0) === report.failed);
  assert.throws(() => assertNothingLost(report), /requests failed/);
});

test('an answer carrying another request id is caught', async () => {
  const { report } = await underSteadyLoad('wrong ids', async () => {
    behaviour.wrongId = true;
    await sleep(200);
    behaviour.wrongId = false;
  }, { baseUrl, ...quick });
  assert.ok(report.mismatchedIds > 0, `mismatched ${report.mismatchedIds}`);
  assert.throws(() => assertNothingLost(report), /another request's id/);
});

test('an operation that throws stops the load and rethrows', async () => {
  await assert.rejects(underSteadyLoad('throws', async () => {
    throw new Error('operation failed');
  }, { baseUrl, ...quick }), /operation failed/);
});
