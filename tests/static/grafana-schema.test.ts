// Every provisioned dashboard is valid against Grafana 13's published dashboard schema: the `Dashboard` type of
// the npm package @grafana/schema (its version is pinned in tools/package.json to the Grafana image's, compose.yaml).
// The package ships the schema as TypeScript types (generated from Grafana's CUE), so the check is the TypeScript
// compiler: each dashboard becomes an object literal `satisfies Dashboard`, which rejects unknown fields (excess
// property checks), wrong types and values outside an enum. A dashboard with planted errors compiled alongside must
// fail, so the check is shown to bite. One tsc run, about 5 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../tools/lib/repo.js';
import { dashboardDir, loadDashboards } from '../lib/dashboards.js';

const run = promisify(execFile);
const tools = path.join(repoRoot, 'tools');
// Under tools/ so that `@grafana/schema` resolves from tools/node_modules.
const work = path.join(tools, 'build', 'grafana-schema-check');

// Dashboard JSON holds an enum's value ("thresholds"), where the TypeScript type names the enum member
// (FieldColorModeId.Thresholds): JsonOf<T> turns every enum into the union of its values, recursively, and leaves
// every other type (and every optional or required property) as it is.
const HEADER = `import type { Dashboard } from '@grafana/schema';
type JsonOf<T> = T extends string ? \`\${T}\`
  : T extends number ? (\`\${T}\` extends \`\${infer N extends number}\` ? N : number)
  : T extends boolean ? T
  : T extends readonly (infer U)[] ? JsonOf<U>[]
  : T extends object ? { [K in keyof T]: JsonOf<T[K]> }
  : T;
`;

function checkFile(json: string): string {
  // `satisfies` must follow the literal on the same line, hence the parentheses.
  return `${HEADER}export const dashboard = (${json.trim()}) satisfies JsonOf<Dashboard>;\n`;
}

async function tsc(files: string[]): Promise<string> {
  // --ignoreConfig: TypeScript 7 refuses files on the command line next to a tsconfig.json (TS5112) unless told to
  // ignore it; these checks want only the options below.
  const args = [path.join(tools, 'node_modules/typescript/bin/tsc'), '--ignoreConfig', '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022',
    '--module', 'nodenext', '--moduleResolution', 'nodenext', '--pretty', 'false', ...files];
  try {
    await run(process.execPath, args, { cwd: work, maxBuffer: 16 * 1024 * 1024 });
    return '';
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? err);
  }
}

test('@grafana/schema is the Grafana image\'s release', () => {
  const pkg = JSON.parse(readFileSync(path.join(tools, 'node_modules/@grafana/schema/package.json'), 'utf8')) as { version: string };
  const compose = readFileSync(path.join(repoRoot, 'compose.yaml'), 'utf8');
  const pin = /\$\{GRAFANA_IMAGE:-grafana\/grafana:([0-9.]+)\}/.exec(compose)?.[1];
  assert.equal(pkg.version, pin, 'tools/package.json pins @grafana/schema to a different release than compose.yaml\'s Grafana image');
});

test('every dashboard satisfies Grafana 13\'s Dashboard type, and a planted bad one does not', async (t) => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const files: string[] = [];
  for (const { file } of loadDashboards()) {
    const out = `${path.basename(file, '.json')}.ts`;
    writeFileSync(path.join(work, out), checkFile(readFileSync(path.join(dashboardDir, file), 'utf8')));
    files.push(out);
  }
  // The controls: the first dashboard with planted errors. tsc reports one excess property per object literal, so
  // the unknown top-level field gets a file of its own.
  const base = readFileSync(path.join(dashboardDir, loadDashboards()[0]!.file), 'utf8');
  type Mutable = Record<string, unknown> & { panels: Array<Record<string, unknown>> };
  const unknownField = JSON.parse(base) as Mutable;
  unknownField.refreshEvery = '5s';
  writeFileSync(path.join(work, 'planted-unknown-field.ts'), checkFile(JSON.stringify(unknownField, null, 2)));
  const planted = JSON.parse(base) as Mutable;
  planted.panels[0]!.gridPosition = { x: 0, y: 0 };
  planted.graphTooltip = 'shared';
  (planted.panels.find((p) => p.fieldConfig) as { fieldConfig: { defaults: { color?: unknown } } }).fieldConfig.defaults.color = { mode: 'rainbow' };
  writeFileSync(path.join(work, 'planted-bad.ts'), checkFile(JSON.stringify(planted, null, 2)));

  const output = await tsc([...files, 'planted-unknown-field.ts', 'planted-bad.ts']);
  const errors = output.split('\n').filter((l) => /error TS\d+/.test(l));
  const real = errors.filter((l) => !l.startsWith('planted-'));
  assert.deepEqual(real, [], `dashboards that Grafana 13's schema rejects:\n${real.join('\n')}`);
  const bad = errors.filter((l) => l.startsWith('planted-'));
  t.diagnostic(`the planted errors, as tsc reported them:\n${bad.map((l) => l.slice(0, 160)).join('\n')}`);
  const expectations: Array<[string, RegExp]> = [
    ['an unknown top-level field', /^planted-unknown-field\.ts.*'"refreshEvery"' does not exist/],
    ['an unknown panel field', /^planted-bad\.ts.*'"gridPosition"' does not exist/],
    ['a string where the schema wants 0 | 1 | 2 (graphTooltip)', /^planted-bad\.ts.*Type 'string' is not assignable to type '0 \| 1 \| 2/],
    ['a colour mode outside the enum', /^planted-bad\.ts.*Type '"rainbow"' is not assignable/],
  ];
  for (const [what, pattern] of expectations) {
    assert.ok(bad.some((l) => pattern.test(l)), `the schema check did not catch ${what}; tsc said:\n${output}`);
  }
});
