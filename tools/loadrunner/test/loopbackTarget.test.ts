import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopbackAddress, NonLoopbackTargetError, resolveLoopbackTarget } from '../src/loopbackTarget.js';

test('loopback targets are accepted and connect to a loopback IP literal', () => {
  assert.deepEqual(resolveLoopbackTarget('http://127.0.0.1:8080'), {
    connectHost: '127.0.0.1', port: 8080, hostHeader: '127.0.0.1:8080', pathPrefix: '', baseUrl: 'http://127.0.0.1:8080',
  });
  assert.equal(resolveLoopbackTarget('http://127.9.8.7').port, 80);
  assert.equal(resolveLoopbackTarget('http://localhost:3000/').connectHost, '127.0.0.1');
  assert.equal(resolveLoopbackTarget('http://LOCALHOST:3000').hostHeader, 'localhost:3000');
  assert.equal(resolveLoopbackTarget('http://[::1]:8080').connectHost, '::1');
  assert.equal(resolveLoopbackTarget('http://[::ffff:127.0.0.1]:8080').connectHost, '::ffff:7f00:1');
  assert.equal(resolveLoopbackTarget('http://127.0.0.1:8080/api/').pathPrefix, '/api');
});

test('anything else is refused with a clear error', () => {
  const refused = [
    'http://10.0.0.1:8080', 'http://192.168.1.2', 'http://example.com', 'http://128.0.0.1', 'http://[::2]',
    'http://[::ffff:10.0.0.1]', 'http://localhost.example.com', 'http://127.0.0.1.nip.io', 'http://0.0.0.0:8080',
  ];
  for (const url of refused) {
    assert.throws(() => resolveLoopbackTarget(url), (err: unknown) => err instanceof NonLoopbackTargetError && /only loopback targets are allowed/.test(err.message), url);
  }
  assert.throws(() => resolveLoopbackTarget('https://127.0.0.1'), /only plain http/);
  assert.throws(() => resolveLoopbackTarget('127.0.0.1:8080'), NonLoopbackTargetError);
  assert.throws(() => resolveLoopbackTarget('not a url'), /is not a URL/);
  assert.throws(() => resolveLoopbackTarget('http://user:pw@127.0.0.1'), /credentials/);
});

test('isLoopbackAddress', () => {
  assert.equal(isLoopbackAddress('127.255.255.255'), true);
  assert.equal(isLoopbackAddress('::1'), true);
  assert.equal(isLoopbackAddress('::ffff:7f00:1'), true);
  assert.equal(isLoopbackAddress('::ffff:a00:1'), false);
  assert.equal(isLoopbackAddress('1.127.0.0'), false);
  assert.equal(isLoopbackAddress('localhost'), false);
});
