// A Markdown report of one run (for PR comments, docs/ results and workshop notes).
import { describeStages } from './scenarios.js';
import { formatBytes, formatDurationMs, formatRatePercent } from './k6Format.js';
import type { ThresholdResult } from './thresholds.js';
import { formatThresholdActual } from './thresholds.js';
import type { LatencyStats, LoadResult } from './types.js';

function latencyRow(name: string, s: LatencyStats): string {
  const cells = [s.avgMs, s.minMs, s.medMs, s.p90Ms, s.p95Ms, s.p99Ms, s.maxMs].map(formatDurationMs);
  return `| ${name} | ${s.count} | ${cells.join(' | ')} |`;
}

function describeScenario(result: LoadResult): string {
  const s = result.scenario;
  return s.model === 'closed'
    ? `closed model, ${s.vus} VUs for ${s.durationSec} s${s.sleepMs ? `, sleep ${s.sleepMs} ms per iteration` : ', no sleep'}`
    : `open model, ${s.stages === undefined ? `${s.ratePerSec} req/s for ${s.durationSec} s` : `${describeStages(s.ratePerSec, s.stages)}`}, at most ${s.maxInFlight} in flight`;
}

export function formatMarkdownSummary(result: LoadResult, thresholds: readonly ThresholdResult[], title = 'Load test'): string {
  const out: string[] = [];
  out.push(`# ${title}${result.tag ? ` (${result.tag})` : ''}`, '');
  out.push(`- target: \`${result.baseUrl}\``);
  out.push(`- scenario: ${describeScenario(result)}`);
  out.push(`- started: ${result.startedAt}, ran ${result.elapsedSec.toFixed(1)} s`);
  out.push(
    `- requests: ${result.requests} (${result.throughputRps.toFixed(1)}/s), failed ${formatRatePercent(result.failedRate)} ` +
      `(${result.httpErrors} HTTP errors, ${result.socketErrors} socket errors)`,
  );
  out.push(`- iterations: ${result.iterations}, interrupted ${result.interruptedIterations}, dropped ${result.droppedIterations}`);
  out.push(`- data: received ${formatBytes(result.dataReceivedBytes)}, sent ${formatBytes(result.dataSentBytes)}, connections opened ${result.connectionsOpened}`, '');

  if (thresholds.length > 0) {
    out.push('## Thresholds', '', '| | metric | threshold | actual |', '| --- | --- | --- | --- |');
    for (const t of thresholds) out.push(`| ${t.ok ? '✓' : '✗'} | ${t.metric} | \`${t.source}\` | ${formatThresholdActual(t)} |`);
    out.push('');
  }

  out.push('## Latency', '', '| metric | count | avg | min | med | p90 | p95 | p99 | max |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  out.push(latencyRow('http_req_duration', result.latency));
  out.push(latencyRow('http_req_duration{expected_response:true}', result.latencyExpected));
  out.push(latencyRow('iteration_duration', result.iterationDuration), '');

  const d = result.distribution;
  out.push('## Distribution (from X-Served-By)', '');
  if (d.perWorker.length === 0) {
    out.push(`No response carried X-Served-By (${d.unattributed} without it).`, '');
  } else {
    out.push('| replica/worker | requests | share | pids |', '| --- | ---: | ---: | --- |');
    for (const w of d.perWorker) out.push(`| ${w.key} | ${w.requests} | ${(w.share * 100).toFixed(2)}% | ${w.pids.join(', ')} |`);
    out.push('', '| replica | workers | requests | share |', '| --- | ---: | ---: | ---: |');
    for (const r of d.perReplica) out.push(`| ${r.replica} | ${r.workers} | ${r.requests} | ${(r.share * 100).toFixed(2)}% |`);
    const f = (n: number | null, digits: number): string => (n === null ? 'n/a' : n.toFixed(digits));
    out.push(
      '',
      `- per worker: jain_fairness ${f(d.workerFairness.jainFairness, 3)}, max_min_ratio ${f(d.workerFairness.maxMinRatio, 2)}`,
      `- per replica: jain_fairness ${f(d.replicaFairness.jainFairness, 3)}, max_min_ratio ${f(d.replicaFairness.maxMinRatio, 2)}`,
    );
    if (d.unattributed > 0) out.push(`- responses without X-Served-By: ${d.unattributed}`);
    if (d.restartedWorkers.length > 0) out.push(`- restarted during the run: ${d.restartedWorkers.join(', ')}`);
    out.push('');
  }

  out.push('## Per second', '', '| second | requests | failed | p99 |', '| ---: | ---: | ---: | ---: |');
  for (const b of result.timeSeries) out.push(`| ${b.second} | ${b.requests} | ${b.failed} | ${b.p99Ms === null ? '' : formatDurationMs(b.p99Ms)} |`);
  out.push('');
  return out.join('\n');
}
