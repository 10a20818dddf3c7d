// `make loadtest` online, after liveTopology.ts: the scenario's k6 script in the compose `k6` service, the way every
// k6 run of this repo goes (tools/lib/k6Compose.ts: no deps restarted, k6 as you, the report checked), with the
// settings make was given. They are read from this environment, as the Node runner reads them offline:
// the catalogue's variables for the script's executor (DURATION, VUS, SLEEP, RATE, MAX_VUS, BASE_RATE,
// REQUEST_PATH, CLIENTS; k6/lib/scenarios.js overridesFromEnv, validated before anything runs) and
// EXPECTED_REPLICAS / EXPECTED_WORKERS.
//   node tools/build/tools/loadrunner/src/k6ComposeRun.js --script 02-post000-cluster --run-id <id> [--report-dir reports]
// Exit: k6's own code (99 thresholds crossed, 107 script error, 108 setup aborted...), 1 when k6 wrote no report,
// 2 for bad input. Environment (the Makefile sets it): COMPOSE_STACK, the stack's compose command.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { envFromOverrides, findScenario, overridesFromEnv } from '../../../k6/lib/scenarios.js';
import { stackComposeCommand } from '../../lib/docker.js';
import { HOST_REPORTS_DIR, K6RunError, runK6 } from '../../lib/k6Compose.js';
import { repoRoot } from '../../lib/repo.js';

/** The script's `-e` variables from an environment: the catalogue's overrides, normalised, and the topology. */
export function k6EnvFrom(script: string, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const scenario = findScenario(script);
  // A script outside the catalogue (your own, in k6/scripts/) gets the topology only: its overrides are its own.
  const overrides = scenario === undefined ? {} : envFromOverrides(scenario, overridesFromEnv(scenario, env));
  const given = (name: string): string | undefined => (env[name]?.trim() ? env[name]!.trim() : undefined);
  return { ...overrides, EXPECTED_REPLICAS: given('EXPECTED_REPLICAS'), EXPECTED_WORKERS: given('EXPECTED_WORKERS') };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { script: { type: 'string' }, 'run-id': { type: 'string' }, 'report-dir': { type: 'string' } } });
  const script = values.script?.replace(/^.*\//, '').replace(/\.js$/, '');
  if (!script || !existsSync(path.join(repoRoot, 'k6', 'scripts', `${script}.js`))) {
    console.error(`k6: no script k6/scripts/${script ?? '<none>'}.js (--script, or K6_SCRIPT / SCENARIO in make loadtest)`);
    return 2;
  }
  let env: Record<string, string | undefined>;
  try {
    env = k6EnvFrom(script, process.env);
  } catch (err) {
    console.error(`k6: ${(err as Error).message}`);
    return 2;
  }
  const runId = values['run-id'] ?? process.env.RUN_ID ?? 'adhoc';
  const reportDir = path.resolve(values['report-dir'] ?? HOST_REPORTS_DIR);
  const shown = Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join(' ');
  if (findScenario(script) === undefined) console.error(`k6: ${script} is not in k6/lib/scenarios.js: DURATION, VUS and the like are not passed to it`);
  console.error(`k6: k6/scripts/${script}.js, run ${runId}${shown ? `, ${shown}` : ''}`);
  try {
    const { exitCode, reportFile } = await runK6(stackComposeCommand({ howToRun: 'make loadtest' }), { script, runId, reportDir, env }, { inheritOutput: true, thresholdsMayFail: true });
    console.error(`k6: wrote ${path.relative(process.cwd(), reportFile)} and its .md`);
    // make loadtest fails on crossed thresholds: the report is written, and the exit code says what happened.
    return exitCode;
  } catch (err) {
    console.error(`k6: ${(err as Error).message}`);
    return err instanceof K6RunError ? err.exitCode : 1;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().then((code) => { process.exitCode = code; }, (err: unknown) => {
    console.error(`k6: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
