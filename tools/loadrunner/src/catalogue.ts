// The runner's side of the scenario catalogue (k6/lib/scenarios.js, the file the k6 scripts import): a catalogue
// scenario with overrides applied, in the runner's terms (closed or open model, an iteration planned per context).
// Nothing about a scenario is defined here: shapes, requests, checks and thresholds all come from the catalogue.
import { applyOverrides, describeScenario, findScenario, formatDuration, SCENARIOS, shapeDurationSec, type LoadShape, type Overrides, type Scenario as CatalogueScenario } from '../../../k6/lib/scenarios.js';
import type { IterationSpec, Scenario } from './types.js';

export { SCENARIOS as CATALOGUE, describeScenario, type CatalogueScenario };

/** Overrides in the runner's units, as compare and the tests pass them; the CLI's flags map onto the same. */
export interface ScenarioOverrides {
  readonly vus?: number;
  readonly durationSec?: number;
  readonly sleepMs?: number;
  readonly ratePerSec?: number;
  readonly maxInFlight?: number;
  /** Replaces the requests with a single GET of this path (X-Client-Id kept). */
  readonly path?: string;
}

export interface ScenarioDefinition {
  readonly name: string;
  /** The k6 script's base name (e.g. `02-post000-cluster`): an alias for --scenario, and the report file prefix. */
  readonly k6ScriptName: string;
  /** describeScenario() of what this run does (overrides included). */
  readonly description: string;
  /** The catalogue scenario, overrides applied: what the k6 script would run with the same environment. */
  readonly catalogue: CatalogueScenario;
  readonly scenario: Scenario;
  readonly requests: readonly IterationSpec[];
}

/** A catalogue shape in the runner's model: constant-vus is the closed model, the arrival-rate executors the open one. */
export function runnerScenario(shape: LoadShape): Scenario {
  switch (shape.executor) {
    case 'constant-vus':
      return { model: 'closed', vus: shape.vus, durationSec: shapeDurationSec(shape), sleepMs: shape.sleep * 1000 };
    case 'constant-arrival-rate':
      return { model: 'open', ratePerSec: shape.rate, durationSec: shapeDurationSec(shape), maxInFlight: shape.maxVUs };
    case 'ramping-arrival-rate':
      return {
        model: 'open', ratePerSec: shape.startRate, durationSec: shapeDurationSec(shape), maxInFlight: shape.maxVUs,
        stages: shape.stages.map((s) => ({ targetRate: s.target, durationSec: shapeDurationSec({ ...shape, executor: 'constant-arrival-rate', rate: 0, duration: s.duration }) })),
      };
  }
}

/** The runner's overrides as the catalogue's (strings, like the k6 environment gives them). */
export function catalogueOverrides(o: ScenarioOverrides): Overrides {
  const text = (n: number | undefined): string | undefined => (n === undefined ? undefined : String(n));
  return {
    vus: text(o.vus),
    duration: o.durationSec === undefined ? undefined : formatDuration(o.durationSec * 1000),
    sleep: o.sleepMs === undefined ? undefined : `${o.sleepMs}ms`,
    rate: text(o.ratePerSec),
    maxVUs: text(o.maxInFlight),
    path: o.path,
  };
}

/** A catalogue scenario in the runner's terms. */
export function definitionOf(scenario: CatalogueScenario): ScenarioDefinition {
  return {
    name: scenario.name,
    k6ScriptName: scenario.script,
    description: describeScenario(scenario),
    catalogue: scenario,
    scenario: runnerScenario(scenario.shape),
    requests: [{ name: scenario.name, plan: scenario.plan }],
  };
}

/** Finds a scenario by its name or its k6 script; throws on an unknown name or an override that does not fit. */
export function buildScenario(nameOrScript: string, overrides: ScenarioOverrides = {}): ScenarioDefinition {
  const base = findScenario(nameOrScript);
  if (base === undefined) {
    const known = Object.values(SCENARIOS).map((s) => `${s.name} (${s.script})`);
    throw new Error(`unknown scenario ${JSON.stringify(nameOrScript)}; known: ${known.join(', ')}`);
  }
  return definitionOf(applyOverrides(base, catalogueOverrides(overrides)));
}
