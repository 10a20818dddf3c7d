// Library entry point: what stack tests and benchmarks import.
export { runLoad, USER_AGENT } from './runLoad.js';
export { checkHealthz, type HealthCheckResult } from './healthCheck.js';
export { resolveLoopbackTarget, isLoopbackAddress, NonLoopbackTargetError, type LoopbackTarget } from './loopbackTarget.js';
export { parseServedBy, SERVED_BY_HEADER } from './servedBy.js';
export { jainFairnessIndex, maxMinRatio, shares } from './fairness.js';
export { buildDistribution, withExpectedTopology } from './distributionCounter.js';
export { percentileOfSorted, summarizeSortedLatencies } from './latencyStats.js';
export { parseThreshold, evaluateThresholds, type Threshold, type ThresholdResult } from './thresholds.js';
export {
  formatFullSummary, formatLegacySummary, formatCompactSummary, formatDistributionTable, formatDistributionNotes, DEFAULT_TREND_STATS,
  type SummaryMode, type SummaryOptions,
} from './formatSummary.js';
export { formatMarkdownSummary } from './formatMarkdown.js';
export { formatProgressLine } from './progressLine.js';
export { parseDurationMs } from './durationString.js';
export { SCENARIOS, buildScenario, findScenario, heavyTailWorkN, clientIdHeader, type ScenarioDefinition, type ScenarioOverrides } from './scenarios.js';
export type * from './types.js';
