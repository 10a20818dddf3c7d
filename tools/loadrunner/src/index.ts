// Library entry point: what stack tests, compare and benchmarks import.
export { runLoad, USER_AGENT } from './runLoad.js';
export { checkHealthz, type HealthCheckResult } from './healthCheck.js';
export { resolveLoopbackTarget, isLoopbackAddress, NonLoopbackTargetError, type LoopbackTarget } from './loopbackTarget.js';
export { buildDistribution, withExpectedTopology } from './distributionCounter.js';
export { percentileOfSorted, summarizeSortedLatencies } from './latencyStats.js';
export { parseThreshold, thresholdsOf, applyThresholds, type Threshold, type ThresholdResult } from './thresholds.js';
export { summaryData, type K6SummaryData } from './summaryData.js';
export { formatProgressLine } from './progressLine.js';
export { buildScenario, catalogueOverrides, definitionOf, runnerScenario, CATALOGUE, describeScenario, type ScenarioDefinition, type ScenarioOverrides } from './catalogue.js';
export { jainFairnessIndex, maxMinRatio, parseServedBy } from '../../../k6/lib/fairness.js';
export { parseDurationMs } from '../../../k6/lib/scenarios.js';
export type * from './types.js';
