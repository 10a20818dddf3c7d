import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBoundedInt } from '../../src/workload/query-bounds.js';

const n = (raw: unknown) => parseBoundedInt(raw, { name: 'n', defaultValue: 1_000_000, max: 50_000_000 });

describe('parseBoundedInt', () => {
  it('uses the default when absent', () => assert.deepEqual(n(undefined), { ok: true, value: 1_000_000 }));
  it('accepts 0, plain integers and the max', () => {
    assert.deepEqual(n('0'), { ok: true, value: 0 });
    assert.deepEqual(n('42'), { ok: true, value: 42 });
    assert.deepEqual(n('50000000'), { ok: true, value: 50_000_000 });
  });
  it('rejects anything else with a message', () => {
    for (const raw of ['', '-1', '1.5', '1e3', '0x10', ' 1', '12abc', 'NaN', '99999999999999999999', ['1', '2'], 5]) {
      const result = n(raw);
      assert.equal(result.ok, false, `expected ${JSON.stringify(raw)} to be rejected`);
    }
    assert.deepEqual(n('50000001'), { ok: false, message: 'n must be between 0 and 50000000' });
  });
  it('honours min', () => {
    assert.equal(parseBoundedInt('0', { name: 'mb', defaultValue: 1, min: 1, max: 10 }).ok, false);
  });
});
