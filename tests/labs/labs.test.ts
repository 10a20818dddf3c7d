// make test-labs: every workshop lab in docs/labs/, run as written. Each ```sh step block runs in bash from the
// repository root with the lab's ```env fast variables in its environment; each ```expect block below it is
// checked against that step's output and the reports it wrote (tests/lib/labText.ts reads the Markdown, one
// grammar for the text and the test). One stack, started by make test-labs and shared by every lab, in order.
// LABS="01 03" runs a subset (the file name's prefix).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../tools/lib/repo.js';
import {
  compareNumbers,
  countLines,
  countSvgSeries,
  numberFromOutput,
  parseLab,
  resolvePath,
  type Check,
  type Lab,
  type Value,
} from '../lib/labText.js';

const LABS_DIR = path.join(repoRoot, 'docs', 'labs');
const STEP_TIMEOUT_MS = 10 * 60_000;
const only = (process.env.LABS ?? '').split(/\s+/).filter(Boolean);

const labFiles = readdirSync(LABS_DIR)
  .filter((f) => /^\d\d-.+\.md$/.test(f))
  .filter((f) => !only.length || only.some((p) => f.startsWith(p)))
  .sort();

/** Every panel title in the provisioned dashboards. */
function panelTitles(): Set<string> {
  const dir = path.join(repoRoot, 'grafana', 'dashboards');
  const titles = new Set<string>();
  const walk = (panels: unknown): void => {
    for (const p of (panels as { title?: string; panels?: unknown }[] | undefined) ?? []) {
      if (p.title) titles.add(p.title);
      walk(p.panels);
    }
  };
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) walk((JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { panels?: unknown }).panels);
  return titles;
}
const panels = panelTitles();

interface StepRun {
  readonly output: string;
  readonly startedMs: number;
}

function runStep(commands: string, env: NodeJS.ProcessEnv): Promise<StepRun> {
  const startedMs = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-eu', '-o', 'pipefail', '-c', commands], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (chunk: Buffer): void => {
      const text = chunk.toString();
      output += text;
      process.stdout.write(text);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => child.kill('SIGTERM'), STEP_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ output, startedMs });
      else reject(new Error(`step exited ${code}:\n${commands}\n--- its output, last 40 lines ---\n${output.split('\n').slice(-40).join('\n')}`));
    });
  });
}

/** comparison.json of the newest reports/*-<kind>/ written since the step started. */
function reportOf(kind: string, run: StepRun): unknown {
  const dir = path.join(repoRoot, 'reports');
  const candidates = existsSync(dir)
    ? readdirSync(dir)
        .filter((d) => d.endsWith(`-${kind}`) && existsSync(path.join(dir, d, 'comparison.json')))
        .map((d) => ({ file: path.join(dir, d, 'comparison.json'), mtime: statSync(path.join(dir, d, 'comparison.json')).mtimeMs }))
        .filter((c) => c.mtime >= run.startedMs - 1000)
        .sort((a, b) => b.mtime - a.mtime)
    : [];
  assert.ok(candidates[0], `the step wrote no reports/*-${kind}/comparison.json`);
  return JSON.parse(readFileSync(candidates[0].file, 'utf8'));
}

/** The newest reports/*-<kind>/*.svg written since the step started. */
function svgOf(kind: string, run: StepRun): string {
  const dir = path.join(repoRoot, 'reports');
  const candidates = existsSync(dir)
    ? readdirSync(dir)
        .filter((d) => d.endsWith(`-${kind}`))
        .flatMap((d) => readdirSync(path.join(dir, d)).filter((f) => f.endsWith('.svg')).map((f) => path.join(dir, d, f)))
        .map((file) => ({ file, mtime: statSync(file).mtimeMs }))
        .filter((c) => c.mtime >= run.startedMs - 1000)
        .sort((a, b) => b.mtime - a.mtime)
    : [];
  assert.ok(candidates[0], `the step wrote no reports/*-${kind}/*.svg`);
  return readFileSync(candidates[0].file, 'utf8');
}

function valueOf(v: Value, run: StepRun): number {
  switch (v.kind) {
    case 'number': return v.value;
    case 'output': return numberFromOutput(run.output, v.pattern);
    case 'count': return countLines(run.output, v.pattern);
    case 'report': {
      const found = resolvePath(reportOf(v.report, run), v.path);
      const n = typeof found === 'number' ? found : Number(found);
      assert.ok(found !== null && Number.isFinite(n), `report ${v.report}: ${JSON.stringify(found)} is not a number`);
      return n;
    }
    case 'svg': return countSvgSeries(svgOf(v.report, run));
  }
}

function check(c: Check, run: StepRun): string {
  switch (c.kind) {
    case 'matches': assert.match(run.output, c.pattern, `the output does not match ${c.pattern}`); return c.text;
    case 'lacks': assert.doesNotMatch(run.output, c.pattern, `the output matches ${c.pattern}`); return c.text;
    case 'panel': assert.ok(panels.has(c.title), `no Grafana panel titled "${c.title}" in grafana/dashboards/`); return c.text;
    case 'range': {
      const n = valueOf(c.value, run);
      assert.ok(n >= c.lo && n <= c.hi, `${c.text}: measured ${n}`);
      return `${c.text}   (measured ${n})`;
    }
    case 'compare': {
      const a = valueOf(c.left, run);
      const b = valueOf(c.right, run);
      assert.ok(compareNumbers(a, c.op, b), `${c.text}: measured ${a} ${c.op} ${b} is false`);
      return `${c.text}   (measured ${a} ${c.op} ${b})`;
    }
  }
}

const durations: string[] = [];

for (const file of labFiles) {
  const lab: Lab = parseLab(`docs/labs/${file}`, readFileSync(path.join(LABS_DIR, file), 'utf8'));
  test(`${file}: ${lab.title}`, async (t) => {
    const started = Date.now();
    // NODE_TEST_CONTEXT tells a nested `node --test` (make k8s-validate's) to report to this runner in its binary
    // protocol instead of printing TAP: a step's output must be what the attendee sees.
    const { NODE_TEST_CONTEXT: _nested, ...outer } = process.env;
    const env = { ...outer, ...lab.fast };
    if (Object.keys(lab.fast).length) console.log(`fast path: ${Object.entries(lab.fast).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    for (const [i, step] of lab.steps.entries()) {
      await t.test(`step ${i + 1} (line ${step.line}): ${step.commands.split('\n')[0]}`, async () => {
        console.log(`$ ${step.commands.replace(/\n/g, '\n$ ')}`);
        const run = await runStep(step.commands, env);
        for (const c of step.checks) console.log(`ok: ${check(c, run)}`);
      });
    }
    durations.push(`${file}: ${Math.round((Date.now() - started) / 1000)} s`);
  });
}

test('every lab file was read (a run over nothing would pass)', () => {
  assert.ok(labFiles.length > 0, `no docs/labs/NN-*.md${only.length ? ` matching LABS="${only.join(' ')}"` : ''}`);
  console.log(`durations:\n${durations.join('\n')}`);
});
