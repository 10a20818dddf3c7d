import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspectJsonText } from '../../src/common/json-body/inspect-json-text.js';
import { echoBodySchema, validateEchoBody } from '../../src/echo/echo-body.schema.js';

const messages = (input: unknown): string[] => {
  const result = validateEchoBody(input);
  return result.issues ? result.issues.map((i) => `${(i.path ?? []).join('.')}: ${i.message}`) : [];
};

describe('echo body schema', () => {
  it('accepts a valid body and returns only known fields', () => {
    assert.deepEqual(validateEchoBody({ message: 'hi' }), { value: { message: 'hi' } });
    assert.deepEqual(validateEchoBody({ message: 'hi', count: 0, tags: ['a', 'b'] }), { value: { message: 'hi', count: 0, tags: ['a', 'b'] } });
    assert.equal(echoBodySchema['~standard'].version, 1);
  });
  it('rejects wrong types and out-of-range values', () => {
    assert.deepEqual(messages({ message: 5 }), ['message: must be a string']);
    assert.deepEqual(messages({ message: '' }), ['message: must be 1..1000 characters']);
    assert.deepEqual(messages({ message: 'x'.repeat(1001) }), ['message: must be 1..1000 characters']);
    assert.deepEqual(messages({ message: 'a', count: 1.5 }), ['count: must be an integer 0..1000']);
    assert.deepEqual(messages({ message: 'a', count: '3' }), ['count: must be an integer 0..1000']);
    assert.deepEqual(messages({ message: 'a', count: 1001 }), ['count: must be an integer 0..1000']);
    assert.deepEqual(messages({ message: 'a', tags: 'x' }), ['tags: must be an array of strings']);
    assert.deepEqual(messages({ message: 'a', tags: [1] }), ['tags.0: must be a string of 1..50 characters']);
    assert.deepEqual(messages({ message: 'a', tags: ['x'.repeat(51)] }), ['tags.0: must be a string of 1..50 characters']);
    assert.deepEqual(messages({ message: 'a', tags: Array(11).fill('t') }), ['tags: must have at most 10 items']);
  });
  it('rejects unknown fields and non-objects', () => {
    assert.deepEqual(messages({ message: 'a', mesage: 'typo' }), ['mesage: unknown field']);
    assert.deepEqual(messages([]), [': body must be a JSON object']);
    assert.deepEqual(messages(null), [': body must be a JSON object']);
    assert.deepEqual(messages('text'), [': body must be a JSON object']);
  });
});

describe('inspectJsonText', () => {
  it('passes ordinary JSON', () => {
    assert.equal(inspectJsonText('{"message":"a {[ tricky ]} \\" string","tags":["constructor"]}', 32), undefined);
  });
  it('measures depth and stops at the limit', () => {
    assert.equal(inspectJsonText('['.repeat(32) + ']'.repeat(32), 32), undefined);
    assert.deepEqual(inspectJsonText('['.repeat(33) + ']'.repeat(33), 32), { kind: 'too_deep', maxDepth: 32 });
    assert.deepEqual(inspectJsonText('['.repeat(100_000), 32), { kind: 'too_deep', maxDepth: 32 });
    assert.equal(inspectJsonText('{"a":"' + '['.repeat(100) + '"}', 32), undefined, 'brackets inside strings do not count');
  });
  it('finds forbidden keys anywhere, also escaped', () => {
    assert.deepEqual(inspectJsonText('{"__proto__":{}}', 32), { kind: 'forbidden_key', key: '__proto__' });
    assert.deepEqual(inspectJsonText('{"a":[{"b":{"constructor" : 1}}]}', 32), { kind: 'forbidden_key', key: 'constructor' });
    assert.deepEqual(inspectJsonText('{"\\u005f\\u005fproto__":1}', 32), { kind: 'forbidden_key', key: '__proto__' });
    assert.deepEqual(inspectJsonText('{"prototype":1}', 32), { kind: 'forbidden_key', key: 'prototype' });
    assert.equal(inspectJsonText('{"message":"__proto__"}', 32), undefined, 'as a value it is harmless');
  });
  it('leaves malformed JSON to the parser', () => {
    assert.equal(inspectJsonText('{"unterminated', 32), undefined);
  });
});
