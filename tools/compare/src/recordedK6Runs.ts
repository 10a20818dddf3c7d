// The runs a real k6 (v2.2.0) made against this stack, kept in tests/fixtures/k6/ (its README says how each was
// made): the tests feed them to the readers of k6's output, and `make bench-runner` uses post 000's as the k6 side
// where k6 can't run.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../lib/repo.js';
import type { K6RunFiles } from './k6Output.js';

export const recordedK6Dir = path.join(repoRoot, 'tests', 'fixtures', 'k6');

export interface RecordedK6Run {
  /** The run's name: its RUN_ID and testid. */
  readonly name: string;
  readonly script: string;
  readonly exitCode: number;
  /** The extra environment it ran with, as runs.txt writes it. */
  readonly env: string;
  readonly files: {
    readonly report: string;
    /** `--out json`, kept to served_by, http_reqs, http_req_duration, http_req_failed and checks; not every run has it. */
    readonly samples: string | undefined;
    /** What k6 printed on stdout and stderr. */
    readonly stdout: string;
    readonly stderr: string;
  };
}

/** runs.txt, one run a line: `<name> script=<script> exit=<code> [seconds=<s>] env=<extra environment>`. */
export function recordedK6Runs(dir = recordedK6Dir): RecordedK6Run[] {
  const file = path.join(dir, 'runs.txt');
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line, i) => {
    const m = /^(\S+) script=(\S+) exit=(\d+)(?: seconds=\d+)? env=(.*)$/.exec(line);
    if (m === null) throw new Error(`${file}:${i + 1} is not "<name> script=<script> exit=<code> [seconds=<s>] env=...": ${line}`);
    const [, name, script, exit, env] = m as unknown as [string, string, string, string, string];
    const samples = path.join(dir, 'samples', `${name}.ndjson.gz`);
    return {
      name,
      script,
      exitCode: Number(exit),
      env,
      files: {
        report: path.join(dir, 'reports', `${script}-${name}.json`),
        samples: existsSync(samples) ? samples : undefined,
        stdout: path.join(dir, 'stdout', `${name}.txt`),
        stderr: path.join(dir, 'stdout', `${name}.stderr.txt`),
      },
    };
  });
}

/** One recorded run by name; throws naming the ones there are. */
export function recordedK6Run(name: string, dir = recordedK6Dir): RecordedK6Run {
  const runs = recordedK6Runs(dir);
  const run = runs.find((r) => r.name === name);
  if (run === undefined) throw new Error(`no recorded k6 run "${name}" in ${dir}/runs.txt; there are ${runs.map((r) => r.name).join(', ')}`);
  return run;
}

/** The files readK6Run() reads, for a run that has samples. */
export function recordedK6RunFiles(run: RecordedK6Run): K6RunFiles {
  if (run.files.samples === undefined) throw new Error(`the recorded k6 run ${run.name} has no samples (--out json) file`);
  return { report: run.files.report, samples: run.files.samples };
}
