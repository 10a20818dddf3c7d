// A Prometheus of its own on the k6 series a real k6 remote-wrote against this stack (tests/fixtures/k6/
// k6-series.om.gz, its README says how): promtool turns the OpenMetrics text into a TSDB block, and the stack's own
// Prometheus image serves it on a loopback port for as long as a test needs. So the dashboard's k6 panels are run
// against real k6 data offline too, where no k6 can run. A few seconds; the container is removed by stop().
// https://prometheus.io/docs/prometheus/latest/storage/#backfilling-from-openmetrics-format
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { recordedK6Dir } from '../../tools/compare/src/recordedK6Runs.js';
import { compose, docker, projectName, stackComposeCommand, type ComposeConfig } from '../../tools/lib/docker.js';
import type { PromSample } from './stack.js';

export interface RecordedK6Prometheus {
  readonly url: string;
  /** The first and last sample of a run (its testid), in Unix seconds. */
  window(testid: string): { readonly start: number; readonly end: number };
  /** An instant query at `timeSec`; throws with Prometheus' error when it rejects the expression. */
  query(expr: string, timeSec: number): Promise<PromSample[]>;
  /** label_values(<metric>, <label>) over [start, end], as Grafana's variable query asks it. */
  labelValues(label: string, match: string, start: number, end: number): Promise<string[]>;
  stop(): Promise<void>;
}

/** The OpenMetrics text's samples of one testid: `name{...testid="x"...} value timestamp`. */
function windowOf(text: string, testid: string): { start: number; end: number } {
  const times = text
    .split('\n')
    .filter((l) => l.includes(`testid="${testid}"`))
    .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
  if (times.length === 0) throw new Error(`no sample of testid="${testid}" in ${recordedK6Dir}/k6-series.om.gz`);
  return { start: Math.min(...times), end: Math.max(...times) };
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const body = (await res.json()) as { status: string; error?: string; data?: T };
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? res.status}`);
  return body.data as T;
}

export async function startRecordedK6Prometheus(): Promise<RecordedK6Prometheus> {
  const config = JSON.parse(await compose(stackComposeCommand(), ['config', '--format', 'json'])) as ComposeConfig;
  const image = config.services.prometheus?.image;
  if (image === undefined) throw new Error('the stack has no prometheus service with an image');

  // The series and an empty config, readable by the image's user (nobody); the block goes to a tmpfs of its own
  // (one over the image's /prometheus keeps that folder's root-owned mode, so nobody could not write there).
  const dir = await mkdtemp(path.join(os.tmpdir(), 'k6-series-'));
  const text = gunzipSync(await readFile(path.join(recordedK6Dir, 'k6-series.om.gz'))).toString('utf8');
  await writeFile(path.join(dir, 'k6-series.om'), text, { mode: 0o644 });
  await writeFile(path.join(dir, 'prometheus.yml'), '# no scrape jobs: only the recorded block\n', { mode: 0o644 });
  await chmod(dir, 0o755);

  const name = `${projectName}-k6-series-${process.pid}`;
  await docker([
    'run', '-d', '--name', name, '--label', 'scaleout.test=recorded-k6-series',
    '-p', '127.0.0.1::9090', '-v', `${dir}:/in:ro`, '--tmpfs', '/tsdb:rw,mode=1777',
    '--entrypoint', 'sh', image, '-c',
    // Both to stdout, so `docker logs` shows why it stopped.
    'exec 2>&1; promtool tsdb create-blocks-from openmetrics /in/k6-series.om /tsdb >/dev/null && ' +
      'exec prometheus --config.file=/in/prometheus.yml --storage.tsdb.path=/tsdb --web.listen-address=:9090',
  ]);
  const stop = async (): Promise<void> => {
    await docker(['rm', '-f', name]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const port = (await docker(['port', name, '9090/tcp'])).trim().split('\n')[0]!.split(':').pop();
    const url = `http://127.0.0.1:${port}`;
    // Asked inside the container, as compose's healthcheck does: through the published port, docker-proxy accepts
    // before Prometheus listens, and a fetch then waits on a socket that keeps nothing alive.
    for (const deadline = Date.now() + 60_000; ; await sleep(250)) {
      const ready = await docker(['exec', name, 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9090/-/ready']).then(() => true, () => false);
      if (ready) break;
      const state = (await docker(['inspect', '-f', '{{.State.Status}}', name])).trim();
      if (state !== 'running' || Date.now() > deadline) {
        const logs = await docker(['logs', '--tail', '30', name]).catch((e: Error) => e.message);
        throw new Error(`the recorded-k6 Prometheus (${image}) is ${state}, not ready: ${logs}`);
      }
    }
    return {
      url,
      window: (testid) => windowOf(text, testid),
      async query(expr, timeSec) {
        const data = await getJson<{ resultType: string; result: unknown }>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${timeSec}`);
        return data.resultType === 'scalar' ? [{ metric: {}, value: data.result as [number, string] }] : (data.result as PromSample[]);
      },
      labelValues: (label, match, start, end) =>
        getJson<string[]>(`${url}/api/v1/label/${encodeURIComponent(label)}/values?match[]=${encodeURIComponent(match)}&start=${start}&end=${end}`),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
