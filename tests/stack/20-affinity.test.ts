// Client affinity: ip_hash pins one client address to one replica; hash on X-Client-Id spreads
// many clients over every replica while keeping each one on its own.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad } from '../../tools/loadrunner/src/index.js';
import { baseUrl, liveWorkers, switchStrategy } from '../lib/stack.js';

after(async () => {
  await switchStrategy('round_robin');
});

test('ip_hash: one client address always lands on one replica', async () => {
  await switchStrategy('ip_hash');
  const result = await runLoad({
    baseUrl,
    scenario: { model: 'closed', vus: 16, durationSec: 4 },
    requests: [{ path: '/whoami' }],
  });
  assert.equal(result.failed, 0);
  const replicas = result.distribution.perReplica.filter((r) => r.requests > 0);
  assert.equal(replicas.length, 1, `ip_hash spread one client over ${replicas.map((r) => `${r.replica}=${r.requests}`).join(' ')}`);
});

test('hash on X-Client-Id: many clients spread over every replica, each client sticks to one', async () => {
  await switchStrategy('hash');
  const replicas = new Set((await liveWorkers()).map((k) => k.split('/')[0]));
  const seen = new Map<string, Set<string>>();
  // 60 client ids, 10 requests each, over fresh and reused connections.
  for (let round = 0; round < 10; round++) {
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const res = await fetch(`${baseUrl}/whoami`, { headers: { 'X-Client-Id': `client-${i}` } });
        assert.equal(res.status, 200);
        const replica = (res.headers.get('x-served-by') ?? '').split('/')[0]!;
        const set = seen.get(`client-${i}`) ?? new Set<string>();
        set.add(replica);
        seen.set(`client-${i}`, set);
      }),
    );
  }
  const moved = [...seen].filter(([, s]) => s.size > 1).map(([c, s]) => `${c}:${[...s].join('+')}`);
  assert.deepEqual(moved, [], 'clients that moved between replicas');
  const used = new Set([...seen.values()].flatMap((s) => [...s]));
  assert.deepEqual([...used].sort(), [...replicas].sort(), 'replicas used by 60 client ids');
});
