// Structured JSON logs (pino) on stdout; pm2-runtime forwards each worker's stdout to the container's.
// Every line carries replica and worker, so logs from N containers x M workers stay attributable.
//
// We write our own ~30-line Nest LoggerService instead of nestjs-pino, which needs Node >= 22.12.

import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/api-config.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: LogLevel;
  replica: string;
  worker: string;
  /** Where lines go; stdout (fd 1) by default. Tests pass a stream to capture them. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { pid: process.pid, replica: options.replica, worker: options.worker },
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"info" instead of "level":30: readable with grep/jq and in Grafana/Loki without a mapping.
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous writes to fd 1: a line logged just before process.exit (crash, drain timeout) is not lost.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * Routes Nest's own logging through pino. Nest's `log` level is mostly bootstrap chatter
 * ("Mapped {/work, GET} route" per route per worker), so it goes to `debug`.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.logger.debug({ context: contextOf(optionalParams) }, String(message));
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    // Nest calls error(message, stack?, context?).
    const [stack] = optionalParams;
    this.logger.error({ context: contextOf(optionalParams), stack: typeof stack === 'string' ? stack : undefined }, String(message));
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.logger.warn({ context: contextOf(optionalParams) }, String(message));
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.logger.trace({ context: contextOf(optionalParams) }, String(message));
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.logger.trace({ context: contextOf(optionalParams) }, String(message));
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.logger.fatal({ context: contextOf(optionalParams) }, String(message));
  }
}

/** Nest passes the context (class name) as the last string argument. */
function contextOf(optionalParams: readonly unknown[]): string | undefined {
  const last = optionalParams[optionalParams.length - 1];
  return typeof last === 'string' ? last : undefined;
}
