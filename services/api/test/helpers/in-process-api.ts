// Starts the real app (createApi) in this process on a free port, with a captured logger.

import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { loadApiConfig, type Env } from '../../src/config/api-config.js';
import { createApi, type Api } from '../../src/create-api.js';
import type { Identity } from '../../src/identity/identity.js';
import { createLogger } from '../../src/logging/logger.js';
import { freePortRange } from './ports.js';

export interface TestApi {
  api: Api;
  port: number;
  /** METRICS_WORKER_PORT_BASE of this instance (worker i's internal port is base + i). */
  metricsPortBase: number;
  identity: Identity;
  /** Parsed JSON log lines written so far. */
  logs: () => Record<string, unknown>[];
  crashes: () => number;
  close: () => Promise<void>;
}

export async function startTestApi(env: Env = {}): Promise<TestApi> {
  const metricsPortBase = await freePortRange(4);
  const config = loadApiConfig({ METRICS_WORKER_PORT_BASE: String(metricsPortBase), LOG_LEVEL: 'debug', ...env });
  const identity: Identity = {
    replica: 'test-1',
    worker: config.worker,
    pid: process.pid,
    hostname: 'test-host',
    version: '9.9.9',
    servedBy: `test-1/${config.worker}/${process.pid}`,
  };
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const logger = createLogger({ level: config.logLevel, replica: identity.replica, worker: identity.worker, destination: stream });
  let crashes = 0;
  const api = await createApi({ config, identity, logger, crashWorker: () => void crashes++ });
  await api.listen(0, '127.0.0.1');
  api.readiness.markReady();
  const port = (api.server.address() as AddressInfo).port;
  return {
    api,
    port,
    metricsPortBase,
    identity,
    logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    crashes: () => crashes,
    close: async () => {
      api.server.closeAllConnections();
      await api.app.close();
    },
  };
}
