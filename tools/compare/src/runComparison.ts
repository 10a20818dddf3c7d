// One comparison: the same scenario, once per variant, on the same running stack, then the side-by-side table
// and reports/<stamp>-<kind>/{comparison.json, summary.md, report.html, <variant>.json}.
//
// Offline (no k6 on the machine) the load comes from the Node load runner, in this process. Online it comes from
// k6 itself: the compose k6 service with the mirrored script (tools/lib/k6Compose.ts), whose handleSummary() JSON is read back. Both give
// the same ComparisonRow, so the table and the report are the same either way.
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { envFromOverrides, findScenario } from '../../../k6/lib/scenarios.js';
import { buildScenario, catalogueOverrides, checkHealthz, runLoad, type LoadResult, type ScenarioDefinition, type ScenarioOverrides } from '../../loadrunner/src/index.js';
import { rowFromK6Report, rowFromLoadResult, SecondByWorker, type ComparisonRow } from './comparisonRow.js';
import { formatComparisonMarkdown, formatComparisonText } from './formatComparison.js';
import { renderHtmlReport } from './htmlReport.js';
import { readK6Run, type K6Report, type K6RunFiles } from './k6Output.js';
import { containerReportDir, runK6, type K6Invocation } from '../../lib/k6Compose.js';
import { topologyOf, type LiveTopology } from '../../lib/liveWorkers.js';
import type { StackControl } from './stackControl.js';
import type { Variant } from './variants.js';

export interface ComparisonOptions {
  readonly kind: ComparisonKind;
  /** A load runner scenario name (or the k6 script it mirrors). */
  readonly scenario: string;
  readonly variants: readonly Variant[];
  readonly overrides?: ScenarioOverrides;
  readonly baseUrl: string;
  /** online: k6 through compose; offline: the Node load runner. */
  readonly mode: 'online' | 'offline';
  readonly stack: StackControl;
  /** Must be under the repo's reports/ folder when online (compose mounts ./reports into the k6 container; tools/lib/k6Compose.ts). */
  readonly outDir: string;
  readonly log: (line: string) => void;
}

export type ComparisonKind = 'strategies' | 'cluster' | 'connections';

export interface ComparisonResult {
  readonly rows: readonly ComparisonRow[];
  readonly text: string;
  readonly files: { readonly json: string; readonly markdown: string; readonly html: string };
}

/** A run's UTC stamp for folder names and run ids: 20261124T041237Z. */
export const runStamp = (): string => new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

export const slug = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/**
 * Where one k6 run's files land in `dir`: the script's handleSummary() report `<script>-<RUN_ID>.json`, and k6's
 * request-level samples `<script>-<RUN_ID>.ndjson.gz`. `dir` is the container's /reports/... or the host's reports/...
 */
export function k6RunFiles(dir: string, script: string, runId: string): K6RunFiles {
  return { report: path.posix.join(dir, `${script}-${runId}.json`), samples: path.posix.join(dir, `${script}-${runId}.ndjson.gz`) };
}

/**
 * k6's request-level samples, gzipped by k6 (a name ending in .gz): the `served_by` Points with their times give the
 * per-second busiest worker, which handleSummary() can't (it sees totals only).
 * https://grafana.com/docs/k6/latest/results-output/real-time/json/
 */
export function k6SamplesOutput(fileInContainer: string): string[] {
  return ['--out', `json=${fileInContainer}`];
}

/**
 * One variant's k6 run (tools/lib/k6Compose.ts runs it): the catalogue's own variable names for the overrides
 * (k6/lib/scenarios.js), so the script applies exactly these; the strategy tag; and, for a variant that set a
 * topology, EXPECTED_REPLICAS / EXPECTED_WORKERS, so a worker of it that serves nothing is listed with 0.
 */
export function k6RunOf(script: string, runId: string, reportDir: string, variant: Variant, overrides: ScenarioOverrides, topology?: LiveTopology): K6Invocation {
  const scenario = findScenario(script);
  if (scenario === undefined) throw new Error(`no catalogue scenario has the k6 script ${script}`);
  return {
    script,
    runId,
    reportDir,
    env: {
      STRATEGY: variant.strategy,
      ...envFromOverrides(scenario, catalogueOverrides(overrides)),
      EXPECTED_REPLICAS: topology?.replicas.join(','),
      EXPECTED_WORKERS: topology === undefined ? undefined : String(topology.workers),
    },
  };
}

/** A short burst of the scenario's own requests before measuring, so connection setup and JIT warm-up are not in the numbers. */
async function warmUp(baseUrl: string, definition: ScenarioDefinition): Promise<void> {
  await runLoad({ baseUrl, scenario: { model: 'closed', vus: 8, durationSec: 2 }, requests: definition.requests });
}

async function measureOffline(options: ComparisonOptions, definition: ScenarioDefinition, variant: Variant): Promise<{ row: ComparisonRow; raw: LoadResult }> {
  const bySecond = new SecondByWorker(Date.now());
  const raw = await runLoad({
    baseUrl: options.baseUrl,
    scenario: definition.scenario,
    requests: definition.requests,
    tag: variant.name,
    onRequestDone: (r) => bySecond.add(r.sentAtMs, r.servedBy),
  });
  return { row: rowFromLoadResult(variant.name, definition.name, raw, bySecond.busiestShareMedian()), raw };
}

/**
 * One variant through k6 (tools/lib/k6Compose.ts runs it), then its report and request-level samples read back
 * (k6Output.ts readK6Run()): the samples give the per-second busiest worker, which handleSummary() can't.
 */
export async function measureWithK6(
  options: { readonly stack: Pick<StackControl, 'composeArgv'> } & Pick<ComparisonOptions, 'outDir' | 'overrides' | 'log'>,
  definition: ScenarioDefinition,
  variant: Variant,
  stamp: string,
  topology?: LiveTopology,
): Promise<{ row: ComparisonRow; raw: K6Report }> {
  const script = definition.k6ScriptName;
  const runId = `${stamp}-${slug(variant.name)}`;
  const files = k6RunFiles(options.outDir, script, runId);
  const samplesInContainer = path.posix.join(containerReportDir(options.outDir), path.basename(files.samples));
  const run = { ...k6RunOf(script, runId, options.outDir, variant, options.overrides ?? {}, topology), k6Args: k6SamplesOutput(samplesInContainer) };
  // k6 exits 99 when a threshold failed: round_robin missing the skewed p95 target is a finding, not an error.
  const { exitCode } = await runK6(options.stack.composeArgv, run, { thresholdsMayFail: true });
  const k6Run = await readK6Run(files, { code: exitCode });
  if (k6Run.failedThresholds.length > 0) options.log(`    k6 exited ${k6Run.exit}: ${k6Run.failedThresholds.join(', ')}`);
  return { row: rowFromK6Report(variant.name, definition.name, k6Run.report, k6Run.busiestWorkerSecondShare), raw: k6Run.report };
}

function machineNote(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `machine: ${os.cpus().length} cores (${cpu.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}; the load generator shares these cores with the stack`;
}

export async function runComparison(options: ComparisonOptions): Promise<ComparisonResult> {
  const { stack, log } = options;
  const definition = buildScenario(options.scenario, options.overrides);
  const health = await checkHealthz(options.baseUrl);
  if (!health.ok) throw new Error(`the stack does not answer ${options.baseUrl}/healthz (${health.detail}): start it with make up`);

  const stamp = runStamp();
  await mkdir(options.outDir, { recursive: true });
  const originalStrategy = await stack.activeStrategy();
  const withSlowReplica = definition.name === 'skewed';
  const rows: ComparisonRow[] = [];
  try {
    if (withSlowReplica) {
      await stack.startSlowReplica();
      await stack.switchStrategy('round_robin');
      await stack.waitForReplica('api-slow-');
    }
    for (const [i, variant] of options.variants.entries()) {
      const variantDefinition = variant.overrides === undefined ? definition : buildScenario(options.scenario, { ...options.overrides, ...variant.overrides });
      log(`[${i + 1}/${options.variants.length}] ${variant.name}: ${variantDefinition.description}`);
      await variant.apply(stack);
      const topology = variant.expectedWorkers === undefined ? undefined : topologyOf(await stack.waitForTopology(variant.expectedWorkers));
      await warmUp(options.baseUrl, variantDefinition);
      const { row, raw } =
        options.mode === 'online'
          ? await measureWithK6({ ...options, overrides: { ...options.overrides, ...variant.overrides } }, variantDefinition, variant, stamp, topology)
          : await measureOffline(options, variantDefinition, variant);
      await writeFile(path.join(options.outDir, `${slug(variant.name)}.json`), `${JSON.stringify(raw, null, 2)}\n`);
      rows.push(row);
      log(`    ${row.requests} requests, ${row.throughputRps.toFixed(1)} req/s, p99 ${row.p99Ms.toFixed(1)} ms, errors ${(row.failedRate * 100).toFixed(2)}%, worker Jain ${row.workerJain?.toFixed(3) ?? 'n/a'}`);
    }
  } finally {
    // Leave the stack as it was found, even when a variant failed.
    if (options.variants.some((v) => v.recreatesNginx)) await stack.setUpstreamKeepalive(true);
    if (options.variants.some((v) => v.recreatesApi)) await stack.recreateApi({});
    if (withSlowReplica) await stack.removeSlowReplica();
    if ((await stack.activeStrategy()) !== originalStrategy) await stack.switchStrategy(originalStrategy);
  }

  const title = `${{ strategies: 'Strategy', cluster: 'Cluster', connections: 'Connections' }[options.kind]} comparison: ${definition.name}`;
  const notes = [
    definition.description,
    `load: ${options.mode === 'online' ? `k6 (${definition.k6ScriptName}.js)` : 'the Node load runner (offline mode)'}, one run per variant on the same stack, in the order shown`,
    machineNote(),
  ];
  const generatedAt = new Date().toISOString();
  const text = formatComparisonText(rows);
  const files = {
    json: path.join(options.outDir, 'comparison.json'),
    markdown: path.join(options.outDir, 'summary.md'),
    html: path.join(options.outDir, 'report.html'),
  };
  await writeFile(files.json, `${JSON.stringify({ kind: options.kind, scenario: definition.name, mode: options.mode, generatedAt, notes, rows }, null, 2)}\n`);
  await writeFile(files.markdown, formatComparisonMarkdown(title, rows, [`generated ${generatedAt}`, ...notes]));
  await writeFile(files.html, renderHtmlReport({ title, generatedAt, notes, rows }));
  return { rows, text, files };
}
