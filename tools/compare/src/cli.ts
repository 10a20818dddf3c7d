// make compare / make compare-cluster: the same scenario for each variant on the running stack, side by side.
//
//   node tools/build/tools/compare/src/cli.js strategies [--scenario skewed] [--variants "round_robin least_conn"] [--duration S] [--vus N | --rate R]
//   node tools/build/tools/compare/src/cli.js cluster    [--scenario post000] [--workers N] [--duration S] [--vus N]
//   node tools/build/tools/compare/src/cli.js connections [--scenario distribution] [--workers N] [--duration S]
//
// Environment (the Makefile sets them): COMPOSE_STACK (the compose command), STACK_MODE (online|offline), HTTP_PORT.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stackComposeCommand } from '../../lib/docker.js';
import { repoRoot } from '../../lib/repo.js';
import { runComparison, runStamp } from './runComparison.js';
import { StackControl } from './stackControl.js';
import { clusterVariants, connectionVariants, strategyVariants } from './variants.js';
import { strategyNames } from '../../lib/strategies.js';
import { baseUrl } from '../../lib/stackUrls.js';

const USAGE = `usage: compare strategies [--scenario NAME] [--variants "round_robin least_conn ..."] [--duration S] [--vus N | --rate R] [--out DIR]
       compare cluster    [--scenario NAME] [--workers N] [--duration S] [--vus N] [--out DIR]
       compare connections [--scenario NAME] [--workers N] [--duration S] [--out DIR]
Scenarios are the catalogue's (k6/lib/scenarios.js, loadrunner --list); online each runs its k6 script.`;

function positive(raw: string | undefined, what: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${what} must be a number > 0, got "${raw}"`);
  return n;
}

export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      scenario: { type: 'string' },
      variants: { type: 'string' },
      workers: { type: 'string' },
      duration: { type: 'string' },
      vus: { type: 'string' },
      rate: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const kind = positionals[0];
  if (values.help || (kind !== 'strategies' && kind !== 'cluster' && kind !== 'connections')) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const composeCmd = stackComposeCommand({ howToRun: 'make compare / make compare-cluster' });
  const mode = process.env.STACK_MODE === 'online' ? 'online' : 'offline';
  const log = (line: string): void => void process.stderr.write(`==> ${line}\n`);
  const stamp = runStamp();
  const outDir = path.resolve(values.out ?? path.join(repoRoot, 'reports', `${stamp}-${kind}`));

  const scenario = values.scenario ?? { cluster: 'post000', connections: 'distribution', strategies: 'skewed' }[kind];
  const workers = positive(values.workers ?? process.env.API_CPUS, '--workers') ?? 2;
  const variants =
    kind === 'cluster'
      ? clusterVariants(Math.ceil(workers))
      : kind === 'connections'
        ? connectionVariants(Math.ceil(workers))
        : strategyVariants((values.variants ?? strategyNames().join(' ')).split(/[\s,]+/).filter(Boolean));
  const durationSec = positive(values.duration, '--duration');
  const vus = positive(values.vus, '--vus');
  const ratePerSec = positive(values.rate, '--rate');
  const stack = new StackControl({ compose: composeCmd, baseUrl, cwd: repoRoot, log });

  const result = await runComparison({
    kind,
    scenario,
    variants,
    overrides: {
      ...(durationSec !== undefined ? { durationSec } : {}),
      ...(vus !== undefined ? { vus } : {}),
      ...(ratePerSec !== undefined ? { ratePerSec } : {}),
    },
    baseUrl,
    mode,
    stack,
    outDir,
    log,
  });
  process.stdout.write(`\n${result.text}\n\n`);
  const rel = (f: string): string => path.relative(process.cwd(), f);
  process.stdout.write(`wrote ${rel(result.files.json)}, ${rel(result.files.markdown)}, ${rel(result.files.html)}\n`);
  process.stdout.write(`Next: open ${rel(result.files.html)} in a browser (it needs no server), or compare another scenario: make compare SCENARIO=many-clients\n`);
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`compare: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
