#!/usr/bin/env node
// The k6 stand-in: `node tools/build/tools/loadrunner/src/cli.js --scenario post000` runs what
// `k6 run k6/scripts/02-post000-cluster.js` runs and prints the same summary (see loadrunner/README.md).
// Exit codes follow k6's so Makefiles and CI treat both alike: 0 ok, 99 a threshold failed, 104 invalid options
// (including a non-loopback target), 108 setup aborted the run (BASE_URL/healthz not answering).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { distributionThresholds, expectedReplicaNames, tallyGrid, type TallyGrid } from '../../../k6/lib/fairness.js';
import { applyOverrides, describeScenario, findScenario, overridesFromEnv, parseDurationMs, SCENARIOS, type Overrides } from '../../../k6/lib/scenarios.js';
import { DEFAULT_TREND_STATS, formatDurationMs, formatSummaryMarkdown, formatSummaryText } from '../../../k6/lib/summary.js';
import { definitionOf, type ScenarioDefinition } from './catalogue.js';
import { checkHealthz } from './healthCheck.js';
import { NonLoopbackTargetError, resolveLoopbackTarget } from './loopbackTarget.js';
import { formatProgressLine, formatRunningTime } from './progressLine.js';
import { runLoad } from './runLoad.js';
import { summaryData } from './summaryData.js';
import { applyThresholds, parseThreshold, thresholdsOf, type Threshold, type ThresholdResult } from './thresholds.js';
import type { ExpectedTopology, LoadResult } from './types.js';
import { baseUrl as stackBaseUrl } from '../../lib/stackUrls.js';

export const EXIT_OK = 0;
export const EXIT_THRESHOLDS_FAILED = 99; // k6: ThresholdsHaveFailed
export const EXIT_INVALID_CONFIG = 104; // k6: InvalidConfig
export const EXIT_SETUP_ABORTED = 108; // k6: ScriptAborted (the scripts' setup() calls exec.test.abort())

const USAGE = `Usage: node tools/build/tools/loadrunner/src/cli.js [options]

Runs a scenario of the catalogue (k6/lib/scenarios.js, the one the k6 scripts run) against the local stack
with Node only (for machines without k6) and prints the k6 scripts' summary (k6/lib/summary.js). Loopback only.

Options (environment variable used when the flag is absent, as the k6 scripts read it):
  --scenario <name>          ${Object.values(SCENARIOS).map((s) => s.name).join(' | ')}, or its k6 script
                             (e.g. 02-post000-cluster) (default: smoke)
  --base-url <url>           target                                   BASE_URL, else http://127.0.0.1:\${HTTP_PORT:-8080}
  --vus <n>                  closed-model scenarios: virtual users    VUS (CLIENTS for many-clients)
  --duration <d>             e.g. 30s, 1m30s                          DURATION
  --sleep <d>                closed-model scenarios: think time after each iteration (k6 sleep), e.g. 1s, 0   SLEEP
  --rate <n>                 open-model scenarios: iterations/s (spike: its peak)  RATE (spike's base: BASE_RATE)
  --max-in-flight <n>        open-model scenarios: k6 maxVUs          MAX_VUS
  --path <path>              replace the requests with GET <path>, e.g. /work?n=1000000   REQUEST_PATH
  --connections <n>          cap on open connections (default: one per VU, like k6)
  --timeout <d>              per-request timeout (default 60s, as k6)
  --graceful-stop <d>        time in-flight iterations get after the duration (default 30s, as k6)
  --no-keep-alive            a new connection for every request
  --threshold <expr>         repeatable; replaces the scenario's thresholds, e.g.
                             'http_req_failed<0.01'  'http_req_duration:p(95)<500'  'p(99)<800'
  --no-thresholds            evaluate no thresholds
  --no-setup                 skip the BASE_URL/healthz check
  --expected-replicas <n|names>  with --expected-workers: list silent workers with 0  EXPECTED_REPLICAS
                             (a count, api-1..api-N, or names: api-4,api-5,api-6)
  --expected-workers <n>                                                            EXPECTED_WORKERS
  --summary-trend-stats <s>  default "${DEFAULT_TREND_STATS.join(',')}"
  --run-id <id>              names the run in the summary and report files           RUN_ID (default adhoc)
  --json <file>              write the full result (JSON)
  --markdown <file>          write a Markdown report
  --report-dir <dir>         write <dir>/<k6 script>-<run id>.json and .md, like the k6 scripts do
  --quiet                    no progress lines on stderr
  --list                     list scenarios and exit
  --k6-script                print the k6 script of --scenario (e.g. 02-post000-cluster) and exit; exit 104 for an
                             unknown scenario (make loadtest uses it online, so SCENARIO picks the same load with k6)
  -h, --help

Exit codes (as k6): 0 ok, 99 threshold failed, 104 invalid options, 108 setup aborted (healthz down).`;

class UsageError extends Error {}

function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

function parseCount(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be an integer >= 1 (got ${JSON.stringify(text)})`);
  return n;
}

/** EXPECTED_REPLICAS: a count (api-1..api-N) or names ("api-4,api-5"), as the k6 scripts read it. */
function parseReplicaNames(text: string | undefined): string[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    const names = expectedReplicaNames(text);
    if (names.length === 0) throw new Error(`must name at least one replica (got ${JSON.stringify(text)})`);
    return names;
  } catch (err) {
    throw new UsageError(`--expected-replicas / EXPECTED_REPLICAS: ${(err as Error).message}`);
  }
}

function parsePositive(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${what} must be a number > 0 (got ${JSON.stringify(text)})`);
  return n;
}

function parseDurationFlag(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDurationMs(text);
  } catch (err) {
    throw new UsageError(`${what}: ${(err as Error).message}`);
  }
}

const OPTIONS = {
  scenario: { type: 'string', default: 'smoke' },
  'base-url': { type: 'string' },
  vus: { type: 'string' },
  duration: { type: 'string' },
  sleep: { type: 'string' },
  rate: { type: 'string' },
  'max-in-flight': { type: 'string' },
  path: { type: 'string' },
  connections: { type: 'string' },
  timeout: { type: 'string' },
  'graceful-stop': { type: 'string' },
  'no-keep-alive': { type: 'boolean', default: false },
  threshold: { type: 'string', multiple: true },
  'no-thresholds': { type: 'boolean', default: false },
  'no-setup': { type: 'boolean', default: false },
  'expected-replicas': { type: 'string' },
  'expected-workers': { type: 'string' },
  'summary-trend-stats': { type: 'string' },
  'run-id': { type: 'string' },
  json: { type: 'string' },
  markdown: { type: 'string' },
  'report-dir': { type: 'string' },
  quiet: { type: 'boolean', default: false },
  list: { type: 'boolean', default: false },
  'k6-script': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type CliValues = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>>['values'];

interface RunPlan {
  readonly baseUrl: string;
  readonly definition: ScenarioDefinition;
  readonly thresholds: Threshold[];
  readonly trendStats: string[];
  readonly timeoutMs: number;
  readonly gracefulStopMs: number;
  readonly connections: number | undefined;
  readonly expectedTopology: ExpectedTopology | undefined;
  readonly grid: TallyGrid;
  readonly runId: string;
}

/**
 * Flags, then the k6 scripts' environment variables, then the scenario's defaults: the catalogue's own
 * overridesFromEnv() and applyOverrides(), so an environment means the same load for k6 and the runner.
 * Environment values apply only to the executor they fit (a shell may export both VUS and RATE); flags must fit.
 */
function planRun(args: CliValues): RunPlan {
  const baseUrl = resolveLoopbackTarget(args['base-url'] ?? env('BASE_URL') ?? stackBaseUrl).baseUrl;
  const base = findScenario(args.scenario!);
  if (base === undefined) throw new UsageError(`unknown scenario ${JSON.stringify(args.scenario)}; known: ${Object.values(SCENARIOS).map((s) => `${s.name} (${s.script})`).join(', ')}`);
  for (const [flag, text] of [['--duration', args.duration], ['--sleep', args.sleep]] as const) {
    if (text !== undefined) parseDurationFlag(text, flag);
  }
  const flags: Overrides = {
    vus: args.vus, duration: args.duration, sleep: args.sleep, rate: args.rate, maxVUs: args['max-in-flight'], path: args.path,
  };
  const catalogue = applyOverrides(base, { ...overridesFromEnv(base, process.env), ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) });
  const definition = definitionOf(catalogue);
  let trendStats = [...DEFAULT_TREND_STATS];
  if (args['summary-trend-stats'] !== undefined) {
    const names = args['summary-trend-stats'].split(',').map((s) => s.trim());
    const unknown = names.filter((n) => !DEFAULT_TREND_STATS.includes(n));
    if (unknown.length > 0) throw new UsageError(`--summary-trend-stats: unsupported ${unknown.join(', ')} (use ${DEFAULT_TREND_STATS.join(',')})`);
    trendStats = names;
  }
  const replicas = parseReplicaNames(args['expected-replicas'] ?? env('EXPECTED_REPLICAS'));
  const workers = parseCount(args['expected-workers'] ?? env('EXPECTED_WORKERS'), '--expected-workers / EXPECTED_WORKERS');
  // Like the k6 scripts: the grid is exact only when both are given.
  const expectedTopology = replicas !== undefined && workers !== undefined ? { replicas, workers } : undefined;
  const grid = tallyGrid(replicas, workers);
  // The same thresholds the k6 script declares: the scenario's, plus one per replica/worker pair of the grid.
  const thresholds = args['no-thresholds']
    ? []
    : args.threshold !== undefined
      ? args.threshold.map(parseThreshold)
      : thresholdsOf({ ...catalogue.thresholds, ...distributionThresholds(grid, catalogue.assertSpread) });
  return {
    baseUrl,
    definition,
    thresholds,
    trendStats,
    timeoutMs: parseDurationFlag(args.timeout, '--timeout') ?? 60_000,
    gracefulStopMs: parseDurationFlag(args['graceful-stop'], '--graceful-stop') ?? 30_000,
    connections: parseCount(args.connections, '--connections'),
    expectedTopology,
    grid,
    runId: args['run-id'] ?? env('RUN_ID') ?? 'adhoc',
  };
}

/** k6 reports errors as log lines during the run; the runner lists them once at the end, on stderr. */
function describeErrors(result: LoadResult): string[] {
  const lines: string[] = [];
  const statuses = Object.entries(result.statusCounts).filter(([status]) => result.httpErrors > 0 && !(Number(status) >= 200 && Number(status) <= 399));
  if (result.httpErrors > 0) lines.push(`WARN unexpected HTTP statuses: ${statuses.map(([s, n]) => `${s}×${n}`).join('  ') || `${result.httpErrors}`}`);
  const codes = Object.entries(result.errorCodes);
  if (codes.length > 0) lines.push(`WARN requests without a response: ${codes.map(([code, n]) => `${code}×${n}`).join('  ')}`);
  if (result.latencySamplesDropped > 0) lines.push(`WARN ${result.latencySamplesDropped} latency samples over the buffer limit were not kept`);
  return lines;
}

async function writeReports(args: CliValues, plan: RunPlan, result: LoadResult, thresholdResults: readonly ThresholdResult[], data: ReturnType<typeof summaryData>, log: (line: string) => void): Promise<void> {
  const { definition } = plan;
  const script = definition.k6ScriptName;
  const json = `${JSON.stringify({ script, scenarioName: definition.name, runId: plan.runId, thresholds: thresholdResults, ...result, summaryData: data }, null, 2)}\n`;
  const markdown = formatSummaryMarkdown(data, {
    runId: plan.runId, grid: plan.grid, generator: 'loadrunner', script, scenario: definition.description, baseUrl: plan.baseUrl, finishedAt: new Date().toISOString(),
  });
  const targets: Array<[string, string]> = [];
  if (args.json !== undefined) targets.push([args.json, json]);
  if (args.markdown !== undefined) targets.push([args.markdown, markdown]);
  if (args['report-dir'] !== undefined) {
    await mkdir(args['report-dir'], { recursive: true });
    const base = join(args['report-dir'], `${script}-${plan.runId}`);
    targets.push([`${base}.json`, json], [`${base}.md`, markdown]);
  }
  for (const [file, content] of targets) {
    await writeFile(file, content);
    log(`loadrunner: wrote ${file}`);
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: CliValues;
  try {
    args = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    process.stderr.write(`loadrunner: ${(err as Error).message}\n\n${USAGE}\n`);
    return EXIT_INVALID_CONFIG;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (args.list) {
    for (const s of Object.values(SCENARIOS)) process.stdout.write(`${describeScenario(s)}\n`);
    return EXIT_OK;
  }

  if (args['k6-script']) {
    const found = findScenario(args.scenario!);
    if (found === undefined) {
      process.stderr.write(`loadrunner: scenario ${JSON.stringify(args.scenario)} has no definition in k6/lib/scenarios.js\n`);
      return EXIT_INVALID_CONFIG;
    }
    process.stdout.write(`${found.script}\n`);
    return EXIT_OK;
  }

  let plan: RunPlan;
  try {
    plan = planRun(args);
  } catch (err) {
    const prefix = err instanceof NonLoopbackTargetError ? 'refused' : 'invalid options';
    process.stderr.write(`loadrunner: ${prefix}: ${(err as Error).message}\n`);
    return EXIT_INVALID_CONFIG;
  }
  const { definition } = plan;
  const { scenario } = definition;
  const log = (line: string): void => {
    if (!args.quiet) process.stderr.write(`${line}\n`);
  };

  if (!args['no-setup']) {
    const health = await checkHealthz(plan.baseUrl);
    if (!health.ok) {
      process.stderr.write(
        `loadrunner: setup: target is not up: GET ${health.url} answered ${health.detail}, expected 2xx. ` +
          'Start the stack (make up) or set --base-url / BASE_URL.\n',
      );
      return EXIT_SETUP_ABORTED;
    }
  }

  const maxVus = scenario.model === 'closed' ? scenario.vus : scenario.maxInFlight;
  log(`  execution: local (loadrunner, Node ${process.version}: stand-in for k6)`);
  log(`     target: ${plan.baseUrl}`);
  log(`     script: k6/scripts/${definition.k6ScriptName}.js (scenario ${definition.name}, run ${plan.runId})`);
  log(`  scenarios: 1 scenario, ${maxVus} max VUs, ${formatDurationMs(scenario.durationSec * 1000 + plan.gracefulStopMs)} max duration (incl. graceful stop):`);
  log(`           * ${definition.description} (gracefulStop: ${formatDurationMs(plan.gracefulStopMs)})\n`);

  // Ctrl-C once: stop as if the duration had ended (the graceful stop applies). Twice: leave now.
  const abort = new AbortController();
  const onSigint = (): void => {
    if (abort.signal.aborted) process.exit(130);
    log('loadrunner: stopping (Ctrl-C again to quit at once)');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  // A last-resort bound on the whole process on top of runLoad's own: no load may go on past it.
  const watchdog = setTimeout(() => {
    process.stderr.write('loadrunner: watchdog: the run exceeded its time bound, exiting\n');
    process.exit(1);
  }, scenario.durationSec * 1000 + plan.gracefulStopMs + 15_000);
  watchdog.unref();

  const result = await runLoad({
    baseUrl: plan.baseUrl,
    scenario,
    requests: definition.requests,
    discardResponseBodies: definition.catalogue.discardResponseBodies,
    keepAlive: !args['no-keep-alive'],
    connections: plan.connections,
    timeoutMs: plan.timeoutMs,
    gracefulStopMs: plan.gracefulStopMs,
    expectedTopology: plan.expectedTopology,
    tag: plan.runId,
    signal: abort.signal,
    onProgress: (p) => log(formatProgressLine(p)),
  });
  process.off('SIGINT', onSigint);
  clearTimeout(watchdog);

  log(
    `\nrunning (${formatRunningTime(result.elapsedSec)}), ${'0'.repeat(String(maxVus).length)}/${maxVus} VUs, ` +
      `${result.iterations} complete and ${result.interruptedIterations} interrupted iterations\n`,
  );
  for (const line of describeErrors(result)) log(line);
  // The run in k6's summary shape: the thresholds are evaluated on it, and k6/lib formats it as for a k6 script.
  const data = summaryData(result, plan.grid, plan.trendStats, plan.thresholds.map((t) => t.metric));
  const thresholdResults = applyThresholds(data, plan.thresholds);
  process.stdout.write(formatSummaryText(data, { runId: plan.runId, grid: plan.grid }));
  await writeReports(args, plan, result, thresholdResults, data, log);

  const failed = thresholdResults.filter((t) => !t.ok);
  if (failed.length > 0) {
    // k6's wording: `thresholds on metrics 'http_req_failed' have been crossed`.
    const metrics = [...new Set(failed.map((t) => `'${t.metric}'`))].join(', ');
    process.stderr.write(`ERRO thresholds on metrics ${metrics} have been crossed\n`);
    return EXIT_THRESHOLDS_FAILED;
  }
  return EXIT_OK;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Sockets and timers are closed by now, so Node exits on its own; this unref'd timer only fires if something
    // unexpected still holds the event loop, so the process always ends.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`loadrunner: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 2000).unref();
  },
);
