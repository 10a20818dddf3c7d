// One public scrape returns every live worker of the container: the worker that got GET /metrics
// reads its own registry directly and its siblings' over loopback (worker-metrics-server.ts), in
// parallel with a short timeout, skips the ones that do not answer (dead, restarting), and merges.

import { request } from 'node:http';
import type { ApiMetrics } from './api-metrics.js';
import { mergeExpositions } from './merge-expositions.js';

export interface ContainerMetricsOptions {
  metrics: ApiMetrics;
  replica: string;
  worker: string;
  workers: number;
  portBase: number;
  timeoutMs?: number;
}

// A sibling's exposition is a few tens of KB; anything far larger is not a metrics page.
const MAX_SIBLING_BYTES = 8 * 1024 * 1024;

/** GET http://127.0.0.1:<port>/metrics, or undefined on any error, non-200 or timeout. */
export function fetchWorkerMetrics(port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', method: 'GET', signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve(undefined);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_SIBLING_BYTES) req.destroy();
        else chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', () => resolve(undefined));
      res.on('aborted', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** Escapes a label value for the text format (backslash, double quote, newline). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class ContainerMetrics {
  private readonly selfIndex: number | undefined;
  private readonly labels: string;

  constructor(private readonly options: ContainerMetricsOptions) {
    const index = Number(options.worker);
    this.selfIndex = Number.isInteger(index) && index >= 0 ? index : undefined;
    this.labels = `{replica="${escapeLabelValue(options.replica)}",worker="${escapeLabelValue(options.worker)}"}`;
  }

  /** The merged exposition of every worker that answered. */
  async collect(): Promise<string> {
    const { metrics, workers, portBase, timeoutMs = 1000 } = this.options;
    const siblings: Promise<string | undefined>[] = [];
    for (let i = 0; i < workers; i++) {
      if (i !== this.selfIndex) siblings.push(fetchWorkerMetrics(portBase + i, timeoutMs));
    }
    const [own, ...others] = await Promise.all([metrics.registry.metrics(), ...siblings]);
    const answered = others.filter((text): text is string => text !== undefined);
    return mergeExpositions([own, ...answered, this.scrapeSummary(1 + answered.length)]);
  }

  // Written by hand rather than with a prom-client Gauge: the value belongs to this one scrape, and two
  // concurrent scrapes must not see each other's count. Labelled with the worker that assembled the
  // scrape, which changes between scrapes; aggregate with `max by (replica) (api_metrics_workers_scraped)`.
  private scrapeSummary(scraped: number): string {
    return [
      '# HELP api_metrics_workers_scraped Workers of this container whose metrics are in this scrape (below expected: a worker is down or restarting).',
      '# TYPE api_metrics_workers_scraped gauge',
      `api_metrics_workers_scraped${this.labels} ${scraped}`,
      '# HELP api_metrics_workers_expected Workers this container is configured to run (WORKERS).',
      '# TYPE api_metrics_workers_expected gauge',
      `api_metrics_workers_expected${this.labels} ${this.options.workers}`,
      '',
    ].join('\n');
  }
}
