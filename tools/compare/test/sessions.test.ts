// The pure parts of make compare-sessions: what counts as a held session, the cell summary, the cookie jar, and
// that the text, Markdown and HTML reports carry the same cells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heldEveryVisit, summarizeCell } from '../src/sessions/sessionCell.js';
import { SessionCookieJar, type Visit } from '../src/sessions/sessionClient.js';
import { formatSessionsMarkdown, formatSessionsText, renderSessionsHtml, sessionCells } from '../src/sessions/sessionReport.js';

const v = (visits: number | null, servedBy = 'api-1/0'): Visit => ({ visits, status: visits === null ? 503 : 200, servedBy });

test('a client held its session only when it saw exactly 1..N', () => {
  assert.equal(heldEveryVisit([v(1), v(2), v(3)]), true);
  assert.equal(heldEveryVisit([v(1), v(1), v(2)]), false, 'a reset');
  assert.equal(heldEveryVisit([v(1), v(null), v(3)]), false, 'a failed call');
  assert.equal(heldEveryVisit([]), false, 'no calls is not a held session');
});

test('summarizeCell counts held and reset clients and the replicas/workers that served each', () => {
  const r = summarizeCell({ store: 'memory', strategy: 'ip_hash', workers: 2 }, [
    [v(1, 'api-1/0'), v(2, 'api-1/0'), v(3, 'api-1/0')],
    [v(1, 'api-1/0'), v(1, 'api-1/1'), v(2, 'api-1/1')],
    [v(1, 'api-1/1'), v(null, ''), v(1, 'api-1/0')],
  ]);
  assert.deepEqual(
    { held: r.held, reset: r.reset, failed: r.failedCalls, replicas: r.replicasPerClient, workers: r.workersPerClient, calls: r.calls },
    { held: 1, reset: 2, failed: 1, replicas: 1, workers: 2, calls: 3 },
  );
});

test('the cookie jar keeps the session cookie, replaces it, and drops it when the server clears it', () => {
  const jar = new SessionCookieJar();
  jar.update(['other=1; Path=/', 'scaleout.sid=s%3Aabc.sig; Path=/; HttpOnly']);
  assert.equal(jar.header, 'scaleout.sid=s%3Aabc.sig');
  jar.update(['scaleout.sid=s%3Adef.sig; Path=/']);
  assert.equal(jar.header, 'scaleout.sid=s%3Adef.sig');
  jar.update(['scaleout.sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
  assert.equal(jar.header, undefined);
});

test('text, Markdown and HTML show the same cells', () => {
  const results = [
    summarizeCell({ store: 'memory', strategy: 'round_robin', workers: 1 }, [[v(1), v(1)]]),
    summarizeCell({ store: 'redis', strategy: 'hash', workers: 2 }, [[v(1), v(2)]]),
  ];
  const text = formatSessionsText(results);
  const md = formatSessionsMarkdown('t', results, ['note']);
  const html = renderSessionsHtml('t', 'now', results, ['note']);
  for (const row of sessionCells(results)) {
    for (const cell of row) {
      assert.ok(text.includes(cell), `text has ${cell}`);
      assert.ok(md.includes(cell), `markdown has ${cell}`);
      assert.ok(html.includes(`<td>${cell}</td>`), `html has ${cell}`);
    }
  }
  assert.match(text, /memory\s+round_robin\s+1\s+0\/1/);
  assert.match(text, /redis\s+hash\s+2\s+1\/1/);
});
