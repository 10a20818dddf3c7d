// Public types of the load runner. Everything a caller (CLI, stack tests, benchmarks) sees is declared here,
// so the shape of a run's options and result can be read in one place.

/** What a request function gets to build its path or headers from. `vu` is 1-based like k6's `__VU`. */
export interface RequestContext {
  /** Virtual user number, 1-based (k6 `__VU`). In the open model it is the in-flight slot that sends the request. */
  readonly vu: number;
  /** Iteration number of this VU, 0-based (k6 `__ITER`). In the open model: the global arrival number. */
  readonly iteration: number;
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** One request. */
export interface RequestSpec {
  /** Label for this kind of request (used in errors and reports); defaults to `${method} ${path}`. */
  readonly name?: string;
  readonly method?: HttpMethod;
  /** Path plus query, starting with `/`. A function lets e.g. `/work?n=` vary per iteration (heavy tail). */
  readonly path: string | ((ctx: RequestContext) => string);
  readonly headers?: Readonly<Record<string, string>> | ((ctx: RequestContext) => Readonly<Record<string, string>>);
  readonly body?: string | Buffer;
  /** Statuses that are not failures, like k6's `responseCallback: http.expectedStatuses(...)`. Default 200..399. */
  readonly expectedStatuses?: readonly number[];
  /** Count this response in the X-Served-By distribution (default true; false for e.g. nginx's own 404 on /metrics). */
  readonly countServedBy?: boolean;
  /** Relative weight in the mix (default 1). */
  readonly weight?: number;
}

/** Several requests sent one after the other in one iteration, like a k6 default function with several calls. */
export interface RequestSequence {
  readonly name?: string;
  readonly sequence: readonly RequestSpec[];
  /** Relative weight in the mix (default 1). */
  readonly weight?: number;
}

/** What a check sees of a response (k6/lib/scenarios.js ResponseView): the same view k6's glue builds. */
export interface ResponseView {
  readonly status: number;
  header(name: string): string | undefined;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any -- a parsed JSON body, as k6's res.json()
}

/** One request of a catalogue scenario's plan (k6/lib/scenarios.js PlannedRequest). */
export interface PlannedRequest {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly expectedStatuses?: readonly number[];
  readonly countServedBy?: boolean;
  /** k6 check() conditions, by label. */
  readonly checks?: Readonly<Record<string, (r: ResponseView) => boolean>>;
}

/** An iteration planned by a function of its context: a catalogue scenario's `plan` (k6/lib/scenarios.js). */
export interface RequestPlan {
  readonly name?: string;
  readonly plan: (ctx: RequestContext) => readonly PlannedRequest[];
  /** Relative weight in the mix (default 1). */
  readonly weight?: number;
}

/** What one iteration does: one request, a sequence, or a plan. */
export type IterationSpec = RequestSpec | RequestSequence | RequestPlan;

/** Closed model, k6 `constant-vus`: each VU loops request -> sleep until the duration is over. */
export interface ClosedScenario {
  readonly model: 'closed';
  readonly vus: number;
  readonly durationSec: number;
  /** Think time after each request, like k6 `sleep(1)` at the end of the default function. 0 = hammer. */
  readonly sleepMs?: number;
}

/** One stage of a ramping open model, like a k6 `ramping-arrival-rate` stage: reach `targetRate` linearly over `durationSec`. */
export interface RateStage {
  readonly targetRate: number;
  readonly durationSec: number;
}

/**
 * Open model, k6 `constant-arrival-rate`: new requests start at a fixed rate whatever the latency is. With `stages`,
 * k6 `ramping-arrival-rate`: the rate starts at `ratePerSec` and follows the stages (their durations add up to durationSec).
 */
export interface OpenScenario {
  readonly model: 'open';
  readonly ratePerSec: number;
  readonly durationSec: number;
  /** Like k6 `maxVUs`: an arrival while this many iterations are running is dropped (counted, not sent). */
  readonly maxInFlight: number;
  readonly stages?: readonly RateStage[];
}

export type Scenario = ClosedScenario | OpenScenario;

export interface ProgressSnapshot {
  readonly elapsedSec: number;
  readonly durationSec: number;
  readonly requests: number;
  readonly failed: number;
  readonly iterations: number;
  readonly interruptedIterations: number;
  readonly droppedIterations: number;
  readonly activeVus: number;
  readonly maxVus: number;
  readonly inFlight: number;
  /** Requests per second over the last progress interval. */
  readonly intervalRps: number;
  /** p99 in ms of requests completed during the last progress interval (null when none completed). */
  readonly intervalP99Ms: number | null;
}

export interface RunLoadOptions {
  /** Target, e.g. `http://127.0.0.1:8080`. Must be plain http on loopback; anything else is refused. */
  readonly baseUrl: string;
  readonly scenario: Scenario;
  /** The mix: each iteration picks one entry by weight and sends its request (or its sequence of requests). */
  readonly requests: readonly IterationSpec[];
  /** Like k6's option: false keeps response bodies for the plan's checks (json()). Default true. */
  readonly discardResponseBodies?: boolean;
  /** Reuse connections (default true), like k6 and browsers do. */
  readonly keepAlive?: boolean;
  /** Cap on open connections (http.Agent maxSockets). Default: vus (closed) or maxInFlight (open), i.e. one per VU like k6. */
  readonly connections?: number;
  /** Per-request timeout in ms (default 60000, k6's default). A timed-out request counts as a socket error ETIMEDOUT. */
  readonly timeoutMs?: number;
  /** After the duration, how long in-flight requests may finish before they are cut (default 30000, k6 `gracefulStop`). */
  readonly gracefulStopMs?: number;
  /** Free-form label copied into the result (k6 `tags`). */
  readonly tag?: string;
  /**
   * The real topology, like the k6 scripts' EXPECTED_REPLICAS / EXPECTED_WORKERS: the named replicas, each with
   * workers 0..W-1. Pairs that served nothing are then listed with 0 and pull the fairness numbers down.
   */
  readonly expectedTopology?: ExpectedTopology;
  /** Called every `progressIntervalMs` (default 5000) while running. */
  readonly onProgress?: (snapshot: ProgressSnapshot) => void;
  readonly progressIntervalMs?: number;
  /** Stops the run early (counts as the end of the duration: graceful stop still applies). */
  readonly signal?: AbortSignal;
  /**
   * Called once per finished request (response or socket error, not an interrupted one), for callers that need
   * more than the aggregates: the operations harness splits latency before/during an operation and checks that
   * every request got exactly one answer. Keep it cheap: it runs on the hot path.
   */
  readonly onRequestDone?: (record: RequestRecord) => void;
}

/** One finished request, as `onRequestDone` sees it. */
export interface RequestRecord {
  /** The RequestSpec's name, else `${method} ${path}`. */
  readonly name: string;
  readonly method: string;
  readonly path: string;
  /** When it was sent, in epoch milliseconds (fractional). */
  readonly sentAtMs: number;
  readonly durationMs: number;
  /** HTTP status, or null for a socket error. */
  readonly status: number | null;
  /** The socket error's code (ECONNRESET, ETIMEDOUT...), or null when there was a response. */
  readonly errorCode: string | null;
  /** Whether the status is one the request expected (k6 `expected_response`); false for socket errors. */
  readonly expected: boolean;
  /** Raw X-Served-By of the response. */
  readonly servedBy: string | undefined;
  /** The X-Request-Id the request carried (when its headers set one) and the one the response carried. */
  readonly sentRequestId: string | undefined;
  readonly answeredRequestId: string | undefined;
}

export interface ExpectedTopology {
  /** Replica names, e.g. api-4, api-5, api-6 (numbers grow across deploys). */
  readonly replicas: readonly string[];
  readonly workers: number;
}

export interface LatencyStats {
  readonly count: number;
  readonly minMs: number;
  readonly avgMs: number;
  readonly medMs: number;
  readonly p90Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Parsed `X-Served-By: <replica>/<worker>/<pid>`. */
export interface ServedBy {
  readonly replica: string;
  readonly worker: string;
  readonly pid: number;
}

export interface WorkerCount {
  /** `<replica>/<worker>`, e.g. `api-2/1`. */
  readonly key: string;
  readonly replica: string;
  readonly worker: string;
  readonly requests: number;
  /** requests / attributed responses, 0..1. */
  readonly share: number;
  /** Every pid seen for this replica/worker, in first-seen order. More than one means the worker restarted. */
  readonly pids: readonly number[];
}

export interface ReplicaCount {
  readonly replica: string;
  readonly requests: number;
  readonly share: number;
  readonly workers: number;
}

export interface FairnessStats {
  /** Jain's fairness index (Σx)²/(n·Σx²): 1 = perfectly even, 1/n = everything on one. null when nothing counted. */
  readonly jainFairness: number | null;
  /** Largest count / smallest count among the ones seen. null when nothing counted. */
  readonly maxMinRatio: number | null;
}

export interface Distribution {
  /** Responses that carried a parseable X-Served-By header. */
  readonly attributed: number;
  /**
   * Requests without a valid one: responses nginx wrote itself (502, 429, 413) and socket errors, as in the k6
   * scripts' `served_by_missing`.
   */
  readonly unattributed: number;
  readonly perWorker: readonly WorkerCount[];
  readonly perReplica: readonly ReplicaCount[];
  readonly workerFairness: FairnessStats;
  readonly replicaFairness: FairnessStats;
  /** replica/worker keys that answered from more than one pid during the run (restarted workers). */
  readonly restartedWorkers: readonly string[];
}

export interface SecondBucket {
  /** Seconds since the start of the run (bucket [second, second+1)). */
  readonly second: number;
  readonly requests: number;
  readonly failed: number;
  /** p99 of the requests that completed in this second; null when none did. */
  readonly p99Ms: number | null;
}

export interface LoadResult {
  readonly tag: string | undefined;
  readonly baseUrl: string;
  readonly scenario: Scenario;
  readonly startedAt: string;
  /** Wall time from start until the last request finished (k6 uses the same denominator for its /s rates). */
  readonly elapsedSec: number;
  /** http_reqs: responses + socket errors. */
  readonly requests: number;
  /** Responses with an expected status (200..399 unless the request says otherwise, as in k6). */
  readonly ok: number;
  /** http_req_failed numerator: unexpected statuses + socket errors. */
  readonly failed: number;
  /** Responses with an unexpected status. */
  readonly httpErrors: number;
  /** Requests that got no response: refused, reset, timed out... */
  readonly socketErrors: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly errorCodes: Readonly<Record<string, number>>;
  /** http_req_failed as a rate, 0..1. */
  readonly failedRate: number;
  readonly throughputRps: number;
  /** http_req_duration over all responses (socket errors have no duration). */
  readonly latency: LatencyStats;
  /** http_req_duration{expected_response:true}. */
  readonly latencyExpected: LatencyStats;
  /** iteration_duration (includes the sleep, like k6). */
  readonly iterationDuration: LatencyStats;
  /** Latency samples not kept once the sample buffer was full (0 below 20 M requests); percentiles cover the rest. */
  readonly latencySamplesDropped: number;
  readonly dataSentBytes: number;
  readonly dataReceivedBytes: number;
  readonly connectionsOpened: number;
  readonly iterations: number;
  /** Iterations cut by the end of the graceful stop (k6 "interrupted iterations"). Not counted in `requests`. */
  readonly interruptedIterations: number;
  /** Open model only: arrivals dropped because maxInFlight requests were already in flight (k6 `dropped_iterations`). */
  readonly droppedIterations: number;
  readonly vus: { readonly value: number; readonly min: number; readonly max: number };
  readonly vusMax: number;
  readonly distribution: Distribution;
  readonly timeSeries: readonly SecondBucket[];
  /** Every check of the plan, in first-seen order, with its passes and fails (k6's root_group.checks). */
  readonly checks: readonly CheckCount[];
}

export interface CheckCount {
  readonly name: string;
  readonly passes: number;
  readonly fails: number;
}
