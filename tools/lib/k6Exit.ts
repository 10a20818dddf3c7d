// k6's exit codes, by the names k6 gives them, so a failed run says what happened and not only a number.
// From k6's own list: https://github.com/grafana/k6/blob/master/errext/exitcodes/codes.go (read 2026-12-07).
// 103 was GenericEngine before k6 renamed it; the number and its cause (the run stopped from outside) are the same.

export interface K6ExitCode {
  readonly code: number;
  readonly name: string;
  readonly meaning: string;
}

const CODES: readonly K6ExitCode[] = [
  { code: 0, name: 'OK', meaning: 'the run finished and every threshold passed' },
  { code: 97, name: 'CloudTestRunFailed', meaning: 'the cloud test run failed' },
  { code: 98, name: 'CloudFailedToGetProgress', meaning: "k6 could not get the cloud run's progress" },
  { code: 99, name: 'ThresholdsHaveFailed', meaning: 'one or more thresholds failed' },
  { code: 100, name: 'SetupTimeout', meaning: "the script's setup() timed out" },
  { code: 101, name: 'TeardownTimeout', meaning: "the script's teardown() timed out" },
  { code: 102, name: 'GenericTimeout', meaning: 'a timeout with no more specific reason' },
  { code: 103, name: 'ScriptStoppedFromRESTAPI', meaning: "the run was stopped through k6's REST API" },
  { code: 104, name: 'InvalidConfig', meaning: 'invalid options or configuration' },
  { code: 105, name: 'ExternalAbort', meaning: 'aborted by a signal (SIGINT, SIGTERM)' },
  { code: 106, name: 'CannotStartRESTAPI', meaning: "k6's REST API server could not start" },
  { code: 107, name: 'ScriptException', meaning: 'the script threw an exception' },
  { code: 108, name: 'ScriptAborted', meaning: 'the script called test.abort() (here: setup() found BASE_URL/healthz down)' },
  { code: 109, name: 'GoPanic', meaning: 'k6 itself panicked' },
];

const BY_CODE = new Map(CODES.map((c) => [c.code, c]));

export function k6ExitCode(code: number): K6ExitCode | undefined {
  return BY_CODE.get(code);
}

/** `99 ThresholdsHaveFailed (one or more thresholds failed)`; a code k6 does not list is said to be so. */
export function describeK6Exit(code: number): string {
  const known = BY_CODE.get(code);
  return known === undefined ? `${code} (not one of k6's exit codes: docker or the shell failed before k6 ran?)` : `${code} ${known.name} (${known.meaning})`;
}

/** The exits whose report is a result: 0, and 99 (a failed threshold is a finding, e.g. round_robin missing skewed's p95 target). */
export function k6ExitIsAResult(code: number): boolean {
  return code === 0 || code === 99;
}
