// make compare-hash: node tools/build/tools/compare/src/hashRing/cli.js [--ids N] [--out DIR]
// Environment (the Makefile sets them): COMPOSE_STACK (the compose command), HTTP_PORT.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { repoRoot } from '../../../lib/repo.js';
import { runStamp } from '../runComparison.js';
import { StackControl } from '../stackControl.js';
import { compareHash, formatHashComparison, writeHashReport } from './compareHash.js';
import { baseUrl } from '../../../lib/stackUrls.js';

const { values } = parseArgs({ options: { ids: { type: 'string' }, out: { type: 'string' } } });
const composeCmd = (process.env.COMPOSE_STACK ?? '').split(/\s+/).filter(Boolean);
if (composeCmd.length === 0) {
  process.stderr.write('COMPOSE_STACK is not set: run this through make compare-hash\n');
  process.exit(2);
}
const ids = values.ids === undefined ? 1000 : Number(values.ids);
if (!Number.isInteger(ids) || ids < 10) {
  process.stderr.write(`--ids must be an integer >= 10, got "${values.ids}"\n`);
  process.exit(2);
}
const log = (line: string): void => void process.stderr.write(`==> ${line}\n`);
const outDir = path.resolve(values.out ?? path.join(repoRoot, 'reports', `${runStamp()}-hash`));
const stack = new StackControl({ compose: composeCmd, baseUrl, cwd: repoRoot, log });
const result = await compareHash({ stack, baseUrl, ids, log, deployVersion: `${process.env.API_VERSION ?? 'dev'}-ring` });
writeHashReport(outDir, result);
process.stdout.write(`\n${formatHashComparison(result)}\n\nReport: ${path.relative(process.cwd(), outDir)}/summary.md (and comparison.json)\n`);
