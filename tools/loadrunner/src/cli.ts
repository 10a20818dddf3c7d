#!/usr/bin/env node
// The k6 stand-in: `node tools/build/tools/loadrunner/src/cli.js --scenario post000` runs what
// `k6 run k6/scripts/02-post000-cluster.js` runs and prints the same summary (see loadrunner/README.md).
// Exit codes follow k6's so Makefiles and CI treat both alike: 0 ok, 99 a threshold failed, 104 invalid options
// (including a non-loopback target), 108 setup aborted the run (BASE_URL/healthz not answering).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDurationMs } from './durationString.js';
import { formatDurationMs, formatRunningTime } from './k6Format.js';
import { DEFAULT_TREND_STATS, formatFullSummary, SUMMARY_MODES, type SummaryMode } from './formatSummary.js';
import { formatMarkdownSummary } from './formatMarkdown.js';
import { checkHealthz } from './healthCheck.js';
import { isTrendStatName, type TrendStatName } from './latencyStats.js';
import { NonLoopbackTargetError, resolveLoopbackTarget } from './loopbackTarget.js';
import { formatProgressLine } from './progressLine.js';
import { runLoad } from './runLoad.js';
import { buildScenario, describeStages, findScenario, SCENARIOS, type ScenarioDefinition, type ScenarioOverrides } from './scenarios.js';
import { evaluateThresholds, parseThreshold, type Threshold } from './thresholds.js';
import type { ExpectedTopology, LoadResult } from './types.js';

export const EXIT_OK = 0;
export const EXIT_THRESHOLDS_FAILED = 99; // k6: ThresholdsHaveFailed
export const EXIT_INVALID_CONFIG = 104; // k6: InvalidConfig
export const EXIT_SETUP_ABORTED = 108; // k6: ScriptAborted (the scripts' setup() calls exec.test.abort())

const USAGE = `Usage: node tools/build/tools/loadrunner/src/cli.js [options]

Runs one of the k6 scenarios against the local stack with Node only (for machines without k6) and prints
k6's end-of-test summary plus the load distribution block. Loopback targets only.

Options (environment variable used when the flag is absent, as the k6 scripts read it):
  --scenario <name>          ${Object.values(SCENARIOS).map((s) => s.name).join(' | ')}, or the k6 script it mirrors
                             (e.g. 02-post000-cluster) (default: smoke)
  --base-url <url>           target                                   BASE_URL, else http://127.0.0.1:\${HTTP_PORT:-8080}
  --vus <n>                  closed-model scenarios: virtual users    VUS
  --duration <d>             e.g. 30s, 1m30s                          DURATION
  --sleep <d>                closed-model scenarios: think time after each iteration (k6 sleep), e.g. 1s, 0
  --rate <n>                 open-model scenarios: iterations/s (spike: its peak)  RATE
  --max-in-flight <n>        open-model scenarios: k6 maxVUs          MAX_VUS
  --path <path>              replace the request mix with GET <path>, e.g. /work?n=1000000
  --connections <n>          cap on open connections (default: one per VU, like k6)
  --timeout <d>              per-request timeout (default 60s, as k6)
  --graceful-stop <d>        time in-flight iterations get after the duration (default 30s, as k6)
  --no-keep-alive            a new connection for every request
  --threshold <expr>         repeatable; replaces the scenario's thresholds, e.g.
                             'http_req_failed<0.01'  'http_req_duration:p(95)<500'  'p(99)<800'
  --no-thresholds            evaluate no thresholds
  --no-setup                 skip the BASE_URL/healthz check
  --expected-replicas <n>    with --expected-workers: list silent workers with 0    EXPECTED_REPLICAS
  --expected-workers <n>                                                            EXPECTED_WORKERS
  --summary-mode <mode>      legacy (default: what the k6 scripts print) | compact (k6 1.x built-in)
  --summary-trend-stats <s>  default "${DEFAULT_TREND_STATS.join(',')}"
  --run-id <id>              names the run in the summary and report files           RUN_ID (default adhoc)
  --json <file>              write the full result (JSON)
  --markdown <file>          write a Markdown report
  --report-dir <dir>         write <dir>/<k6 script>-<run id>.json and .md, like the k6 scripts do
  --quiet                    no progress lines on stderr
  --list                     list scenarios and exit
  --k6-script                print the k6 script --scenario mirrors (e.g. 02-post000-cluster) and exit; exit 104 if
                             it has none (make loadtest uses it online, so SCENARIO picks the same load with k6)
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
  'summary-mode': { type: 'string', default: 'legacy' },
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
  readonly trendStats: TrendStatName[];
  readonly summaryMode: SummaryMode;
  readonly timeoutMs: number;
  readonly gracefulStopMs: number;
  readonly connections: number | undefined;
  readonly expectedTopology: ExpectedTopology | undefined;
  readonly runId: string;
}

/** Flags, then the k6 scripts' environment variables, then the scenario's defaults. Throws on anything invalid. */
function planRun(args: CliValues): RunPlan {
  const baseUrl = resolveLoopbackTarget(args['base-url'] ?? env('BASE_URL') ?? `http://127.0.0.1:${env('HTTP_PORT') ?? '8080'}`).baseUrl;
  const durationMs = parseDurationFlag(args.duration ?? env('DURATION'), args.duration !== undefined ? '--duration' : 'DURATION');
  if (durationMs !== undefined && !(durationMs > 0)) throw new UsageError('the duration must be > 0');
  if (args.path !== undefined && !args.path.startsWith('/')) throw new UsageError(`--path must start with '/' (got ${args.path})`);
  const closed = buildScenario(args.scenario).scenario.model === 'closed';
  // Environment values apply only to the model they fit (a shell may export both VUS and RATE); flags must fit.
  const overrides: ScenarioOverrides = {
    vus: parseCount(args.vus ?? (closed ? env('VUS') : undefined), '--vus / VUS'),
    durationSec: durationMs === undefined ? undefined : durationMs / 1000,
    sleepMs: parseDurationFlag(args.sleep, '--sleep'),
    ratePerSec: parsePositive(args.rate ?? (closed ? undefined : env('RATE')), '--rate / RATE'),
    maxInFlight: parseCount(args['max-in-flight'] ?? (closed ? undefined : env('MAX_VUS')), '--max-in-flight / MAX_VUS'),
    path: args.path,
  };
  const definition = buildScenario(args.scenario, overrides);
  const thresholds = (args['no-thresholds'] ? [] : (args.threshold ?? definition.thresholds)).map(parseThreshold);
  let trendStats = [...DEFAULT_TREND_STATS];
  if (args['summary-trend-stats'] !== undefined) {
    const names = args['summary-trend-stats'].split(',').map((s) => s.trim());
    const unknown = names.filter((n) => !isTrendStatName(n));
    if (unknown.length > 0) throw new UsageError(`--summary-trend-stats: unsupported ${unknown.join(', ')} (use avg,min,med,max,p(90),p(95),p(99),count)`);
    trendStats = names.filter(isTrendStatName);
  }
  const summaryMode = args['summary-mode'];
  if (!(SUMMARY_MODES as readonly string[]).includes(summaryMode)) throw new UsageError(`--summary-mode must be one of ${SUMMARY_MODES.join(', ')}`);
  const replicas = parseCount(args['expected-replicas'] ?? env('EXPECTED_REPLICAS'), '--expected-replicas / EXPECTED_REPLICAS');
  const workers = parseCount(args['expected-workers'] ?? env('EXPECTED_WORKERS'), '--expected-workers / EXPECTED_WORKERS');
  return {
    baseUrl,
    definition,
    thresholds,
    trendStats,
    summaryMode: summaryMode as SummaryMode,
    timeoutMs: parseDurationFlag(args.timeout, '--timeout') ?? 60_000,
    gracefulStopMs: parseDurationFlag(args['graceful-stop'], '--graceful-stop') ?? 30_000,
    connections: parseCount(args.connections, '--connections'),
    // Like the k6 scripts: the grid is exact only when both are given.
    expectedTopology: replicas !== undefined && workers !== undefined ? { replicas, workers } : undefined,
    runId: args['run-id'] ?? env('RUN_ID') ?? 'adhoc',
  };
}

function describeShape(plan: RunPlan): string {
  const s = plan.definition.scenario;
  return s.model === 'closed'
    ? `${s.vus} looping VUs for ${formatDurationMs(s.durationSec * 1000)}` + (s.sleepMs ? ` (sleep ${formatDurationMs(s.sleepMs)} per iteration)` : ' (no sleep)')
    : s.stages === undefined
      ? `${s.ratePerSec} iterations/s for ${formatDurationMs(s.durationSec * 1000)} (maxVUs: ${s.maxInFlight})`
      : `ramping arrival rate: ${describeStages(s.ratePerSec, s.stages)} (maxVUs: ${s.maxInFlight})`;
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

async function writeReports(args: CliValues, plan: RunPlan, result: LoadResult, thresholdResults: ReturnType<typeof evaluateThresholds>, log: (line: string) => void): Promise<void> {
  const { definition } = plan;
  const script = definition.k6ScriptName ?? definition.name;
  const json = `${JSON.stringify({ script, scenarioName: definition.name, runId: plan.runId, thresholds: thresholdResults, ...result }, null, 2)}\n`;
  const markdown = formatMarkdownSummary(result, thresholdResults, `loadrunner run ${plan.runId}: ${script}`);
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
    for (const s of Object.values(SCENARIOS)) process.stdout.write(`${s.name.padEnd(13)} ${s.description}\n${' '.repeat(14)}mirrors ${s.mirrors}\n`);
    return EXIT_OK;
  }

  if (args['k6-script']) {
    const found = findScenario(args.scenario!);
    if (found?.k6ScriptName === undefined) {
      process.stderr.write(`loadrunner: scenario ${JSON.stringify(args.scenario)} has ${found === undefined ? 'no definition' : 'no k6 script'}\n`);
      return EXIT_INVALID_CONFIG;
    }
    process.stdout.write(`${found.k6ScriptName}\n`);
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
  log(`     script: ${definition.mirrors} (scenario ${definition.name}, run ${plan.runId})`);
  log(`  scenarios: 1 scenario, ${maxVus} max VUs, ${formatDurationMs(scenario.durationSec * 1000 + plan.gracefulStopMs)} max duration (incl. graceful stop):`);
  log(`           * ${definition.name}: ${describeShape(plan)} (gracefulStop: ${formatDurationMs(plan.gracefulStopMs)})\n`);

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
  const thresholdResults = evaluateThresholds(result, plan.thresholds);
  process.stdout.write(
    formatFullSummary(result, thresholdResults, {
      mode: plan.summaryMode,
      trendStats: plan.trendStats,
      runId: plan.runId,
      topologyGiven: plan.expectedTopology !== undefined,
    }),
  );
  await writeReports(args, plan, result, thresholdResults, log);

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
