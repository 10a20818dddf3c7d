// Fault injection for demos and tests. Only mounted when CHAOS_ENABLED=true; otherwise these paths
// are unknown routes (the same JSON 404), so a production deployment does not even reveal them.

import { BadRequestException, Controller, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { setImmediate as nextTick } from 'node:timers/promises';
import { CRASH_WORKER, IDENTITY, LOGGER } from '../core.module.js';
import type { Identity } from '../identity/identity.js';
import type { Logger } from '../logging/logger.js';
import { parseBoundedInt } from '../workload/query-bounds.js';

/** Per-call cap for /chaos/leak, so one request cannot take the container down at once. */
export const LEAK_MAX_MB_PER_CALL = 256;

// Module-level on purpose: this is the leak. Buffers are zero-filled, so the pages are really touched
// and the worker's RSS (what pm2's max_memory_restart watches) grows by that much.
const retained: Buffer[] = [];

@Controller('chaos')
export class ChaosController {
  constructor(
    @Inject(IDENTITY) private readonly identity: Identity,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CRASH_WORKER) private readonly crashWorker: () => void,
  ) {}

  /** Answers, then the worker dies once the response is flushed; pm2 starts a replacement. */
  @Post('crash')
  @HttpCode(202)
  crash(@Res({ passthrough: true }) res: Response): { message: string; servedBy: string } {
    res.setHeader('Connection', 'close');
    res.once('finish', () => {
      this.logger.fatal('chaos: crashing this worker on request');
      setTimeout(this.crashWorker, 50);
    });
    return { message: 'worker will exit', servedBy: this.identity.servedBy };
  }

  @Post('leak')
  @HttpCode(200)
  leak(@Query('mb') rawMb: unknown): { leakedMb: number; retainedMb: number; servedBy: string } {
    const mb = parseBoundedInt(rawMb, { name: 'mb', defaultValue: 10, min: 1, max: LEAK_MAX_MB_PER_CALL });
    if (!mb.ok) throw new BadRequestException(mb.message);
    retained.push(Buffer.alloc(mb.value * 1024 * 1024, 1));
    const retainedMb = retained.reduce((total, buffer) => total + buffer.length, 0) / (1024 * 1024);
    this.logger.warn({ leakedMb: mb.value, retainedMb }, 'chaos: memory retained on request');
    return { leakedMb: mb.value, retainedMb, servedBy: this.identity.servedBy };
  }

  /** Throws inside an async handler: must become a JSON 500, and the worker must keep serving. */
  @Post('error')
  async error(): Promise<never> {
    await nextTick();
    throw new Error('chaos: deliberate error in an async handler');
  }
}
