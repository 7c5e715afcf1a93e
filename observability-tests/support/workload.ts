// A small synthetic workload that makes the service emit the series the dashboards and rules read.
// Each step is one thing a client does; steps that act as someone get a prepared context (the signed-in
// cast, see clinical-workload.ts). Add steps as features land, and shrink expected-empty-panels.ts with them.

export interface WorkloadStep<Context = unknown> {
  readonly name: string;
  run(baseUrl: string, context: Context): Promise<void>;
}

export interface RequestSpec {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** The status the service must answer: a different one means the workload no longer does what it says. */
  readonly status: number;
}

/** Sends one request; throws unless the answer has `spec.status`. Resolves to the parsed JSON body, if any. */
export async function send(baseUrl: string, name: string, spec: RequestSpec): Promise<unknown> {
  const init: RequestInit = { method: spec.method ?? 'GET' };
  if (spec.headers) init.headers = spec.headers;
  if (spec.body !== undefined) init.body = spec.body;
  const response = await fetch(`${baseUrl}${spec.path}`, init);
  const text = await response.text();
  if (response.status !== spec.status)
    throw new Error(
      `${name}: ${spec.method ?? 'GET'} ${spec.path} answered ${response.status}, not ${spec.status}: ${text}`,
    );
  return (response.headers.get('content-type') ?? '').includes('json')
    ? (JSON.parse(text) as unknown)
    : undefined;
}

/** A step of one request whose answer must have `spec.status`. */
export function requestStep(name: string, spec: RequestSpec): WorkloadStep {
  return {
    name,
    async run(baseUrl) {
      await send(baseUrl, name, spec);
    },
  };
}

export const JSON_HEADERS = { 'content-type': 'application/json' };

/** Steps that need nobody signed in: probes, the metrics endpoint and requests the service refuses. */
export const ANONYMOUS_STEPS: readonly WorkloadStep[] = [
  requestStep('liveness probe', { path: '/healthz', status: 200 }),
  // Readiness queries the database (pool, query metrics) and pings the cache.
  requestStep('readiness probe', { path: '/readyz', status: 200 }),
  requestStep('metrics scrape', { path: '/metrics', status: 200 }),
  requestStep('unknown API route', { path: '/v1/no-such-route', status: 404 }),
  requestStep('malformed JSON', {
    method: 'POST',
    path: '/v1/no-such-route',
    headers: JSON_HEADERS,
    body: '{"unterminated": ',
    status: 400,
  }),
  requestStep('body that is not JSON', {
    method: 'POST',
    path: '/v1/no-such-route',
    headers: { 'content-type': 'text/plain' },
    body: 'plain text',
    status: 415,
  }),
];

export interface RunningWorkload {
  /** Rounds of every step completed so far. */
  rounds(): number;
  /** Why the workload stopped early, if it did. */
  failure(): unknown;
  /** Finishes the current round and resolves; rejects with the first step that failed. */
  stop(): Promise<void>;
}

/** Runs every step in order, round after round, until stopped. */
export function startWorkload<Context>(
  baseUrl: string,
  context: Context,
  steps: readonly WorkloadStep<Context>[],
): RunningWorkload {
  let stopping = false;
  let completed = 0;
  let failure: unknown;
  const loop = (async () => {
    while (!stopping) {
      for (const step of steps) await step.run(baseUrl, context);
      completed += 1;
    }
  })();
  // Observed here so a failing step is not an unhandled rejection before stop() is awaited.
  loop.catch((error: unknown) => (failure = error));
  return {
    rounds: () => completed,
    failure: () => failure,
    async stop() {
      stopping = true;
      await loop;
    },
  };
}
