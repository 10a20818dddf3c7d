// Why this project does not need `express-async-errors` (post 002's fix for Express 4):
// Express 5 forwards a rejected promise from any handler or middleware to the error middleware, and
// Nest awaits controller handlers and routes their rejections to the exception filter. Both shown here.

import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express, { type NextFunction, type Request, type Response } from 'express';
import { httpRequest } from '../helpers/http.js';
import { startTestApi } from '../helpers/in-process-api.js';

describe('async errors', () => {
  it('plain Express 5: a rejected async handler reaches the error middleware (no hanging request)', async () => {
    const app = express();
    app.get('/boom', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('async boom');
    });
    app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).json({ caught: error.message });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const res = await httpRequest((server.address() as AddressInfo).port, '/boom', { timeoutMs: 2000 });
      assert.equal(res.status, 500);
      assert.deepEqual(res.json(), { caught: 'async boom' });
    } finally {
      server.close();
    }
  });

  it('the app: /chaos/error -> JSON 500, no unhandledRejection, next request fine', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const t = await startTestApi({ CHAOS_ENABLED: 'true' });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await httpRequest(t.port, '/chaos/error', { method: 'POST', timeoutMs: 2000 });
        assert.equal(res.status, 500);
      }
      assert.equal((await httpRequest(t.port, '/whoami')).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(rejections, []);
    } finally {
      process.off('unhandledRejection', onRejection);
      await t.close();
    }
  });
});
