// Two stand-ins for real work. /work burns CPU on the event loop (the sum from the source post,
// so throughput scales with workers); /io waits without blocking (like a database call, so one worker
// can hold many at once). RESPONSE_DELAY_MS adds a non-blocking delay to both: set it on one replica
// to make it "slow" and watch least_conn route around it. POST /io is the same wait as a request nginx never
// retries once sent (non-idempotent): tests/faults/30-kill-and-stop keeps slow POSTs in flight with it.

import { BadRequestException, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiConfig } from '../config/api-config.js';
import { API_CONFIG, IDENTITY } from '../core.module.js';
import { identityView, type Identity, type IdentityView } from '../identity/identity.js';
import { parseBoundedInt } from './query-bounds.js';

/** 0 + 1 + ... + n, computed the slow way on purpose: it is the CPU cost. */
export function sumTo(n: number): number {
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += i;
  return sum;
}

@Controller()
export class WorkloadController {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(IDENTITY) private readonly identity: Identity,
  ) {}

  @Get('work')
  async work(@Query('n') rawN: unknown): Promise<IdentityView & { n: number; sum: number }> {
    const n = parseBoundedInt(rawN, { name: 'n', defaultValue: 1_000_000, max: this.config.workMaxN });
    if (!n.ok) throw new BadRequestException(n.message);
    const sum = sumTo(n.value);
    if (this.config.responseDelayMs > 0) await sleep(this.config.responseDelayMs);
    return { n: n.value, sum, ...identityView(this.identity) };
  }

  @Get('io')
  async io(@Query('ms') rawMs: unknown): Promise<IdentityView & { ms: number }> {
    const ms = parseBoundedInt(rawMs, { name: 'ms', defaultValue: 100, max: this.config.ioMaxMs });
    if (!ms.ok) throw new BadRequestException(ms.message);
    await sleep(ms.value + this.config.responseDelayMs);
    return { ms: ms.value, ...identityView(this.identity) };
  }

  // Nest keeps one method per route decorator (a second one on the same method replaces the first).
  @Post('io')
  @HttpCode(200)
  ioPost(@Query('ms') rawMs: unknown): Promise<IdentityView & { ms: number }> {
    return this.io(rawMs);
  }
}
