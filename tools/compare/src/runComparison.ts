// One comparison: the same scenario, once per variant, on the same running stack, then the side-by-side table
// and reports/<stamp>-<kind>/{comparison.json, summary.md, report.html, <variant>.json}.
//
// Offline (no k6 on the machine) the load comes from the Node load runner, in this process. Online it comes from
// k6 itself: `docker compose run k6` with the mirrored script, whose handleSummary() JSON is read back. Both give
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
  /** Must be under the repo's reports/ folder when online (compose mounts ./reports into the k6 container). */
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

/** The `docker compose` arguments that run one k6 script for one variant (exit 99 = thresholds failed, still a result). */
export function k6RunArgs(script: string, runId: string, reportDirInContainer: string, variant: Variant, overrides: ScenarioOverrides): string[] {
  const scenario = findScenario(script);
  if (scenario === undefined) throw new Error(`no catalogue scenario has the k6 script ${script}`);
  // The catalogue's own variable names (k6/lib/scenarios.js), so the k6 script applies exactly these overrides.
  const env: Array<[string, string | undefined]> = [
    ['RUN_ID', runId],
    ['REPORT_DIR', reportDirInContainer],
    ['STRATEGY', variant.strategy],
    ...Object.entries(envFromOverrides(scenario, catalogueOverrides(overrides))),
  ];
  return [
    '--profile', 'loadtest', 'run', '--rm',
    ...env.filter((e): e is [string, string] => e[1] !== undefined).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    'k6', 'run', '-o', 'experimental-prometheus-rw', ...k6SamplesOutput(k6RunFiles(reportDirInContainer, script, runId).samples), `/k6/scripts/${script}.js`,
  ];
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

/** k6's exit code through `docker compose run` (which exits with the container's), and what it printed when it failed. */
async function runK6(stack: Pick<StackControl, 'compose'>, args: readonly string[]): Promise<{ code: number; output?: string }> {
  try {
    await stack.compose(args);
    return { code: 0 };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'number') throw err;
    return { code, output: (err as Error).message };
  }
}

/** One variant through k6: run it, then read back its report and samples (k6Output.ts readK6Run()). */
export async function measureWithK6(
  options: { readonly stack: Pick<StackControl, 'compose'>; readonly outDir: string; readonly overrides?: ScenarioOverrides; readonly log: (line: string) => void },
  definition: ScenarioDefinition,
  variant: Variant,
  stamp: string,
): Promise<{ row: ComparisonRow; raw: K6Report }> {
  const script = definition.k6ScriptName;
  const runId = `${stamp}-${slug(variant.name)}`;
  const reportDirInContainer = `/reports/${path.basename(options.outDir)}`;
  const exit = await runK6(options.stack, k6RunArgs(script, runId, reportDirInContainer, variant, options.overrides ?? {}));
  // Exit 99 (a failed threshold) is still a result: round_robin missing the skewed p95 target is a finding.
  const run = await readK6Run(k6RunFiles(options.outDir, script, runId), exit);
  if (run.failedThresholds.length > 0) options.log(`    k6 exited ${run.exit}: ${run.failedThresholds.join(', ')}`);
  return { row: rowFromK6Report(variant.name, definition.name, run.report, run.busiestWorkerSecondShare), raw: run.report };
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
      if (variant.expectedWorkers !== undefined) await stack.waitForTopology(variant.expectedWorkers);
      await warmUp(options.baseUrl, variantDefinition);
      const { row, raw } =
        options.mode === 'online'
          ? await measureWithK6({ ...options, overrides: { ...options.overrides, ...variant.overrides } }, variantDefinition, variant, stamp)
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
