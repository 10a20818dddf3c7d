import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadApiConfig } from '../../src/config/api-config.js';

describe('loadApiConfig', () => {
  it('uses the contract defaults', () => {
    const config = loadApiConfig({});
    assert.deepEqual(
      [config.port, config.workers, config.worker, config.metricsEnabled, config.metricsWorkerPortBase, config.chaosEnabled],
      [3000, 1, '0', true, 9400, false],
    );
    assert.deepEqual(
      [config.bodyLimitBytes, config.workMaxN, config.ioMaxMs, config.drainTimeoutMs, config.keepAliveTimeoutMs, config.headersTimeoutMs],
      [102_400, 50_000_000, 30_000, 10_000, 65_000, 66_000],
    );
    assert.deepEqual([config.responseDelayMs, config.neverReady, config.logLevel], [0, false, 'info']);
  });
  it('reads overrides and rejects bad values', () => {
    const config = loadApiConfig({ PORT: '8080', NODE_APP_INSTANCE: '3', CHAOS_ENABLED: 'true', METRICS_ENABLED: 'false' });
    assert.deepEqual([config.port, config.worker, config.chaosEnabled, config.metricsEnabled], [8080, '3', true, false]);
    assert.throws(() => loadApiConfig({ PORT: 'abc' }), /PORT/);
    assert.throws(() => loadApiConfig({ CHAOS_ENABLED: 'yes' }), /CHAOS_ENABLED/);
    assert.throws(() => loadApiConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
    assert.throws(() => loadApiConfig({ KEEP_ALIVE_TIMEOUT_MS: '70000' }), /HEADERS_TIMEOUT_MS/);
  });
});
