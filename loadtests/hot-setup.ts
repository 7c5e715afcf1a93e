/**
 * What bench:hot and profile:hot share: the environment of the measured service (production settings,
 * tracing at 10 % to a sink, access log at info), the instances, and the people whose requests are measured.
 */
import request from 'supertest';
import { loadConfig } from '../service/src/config';
import { createLogger } from '../service/src/observability/logger';
import { createRuntime } from '../service/src/runtime';
import { createTestDatabase } from '../service/test/support/environment';
import { createPatient, createProvider, expectStatus } from '../service/test/support/identities';
import { productionEnv } from '../service/test/support/production-env';
import {
  startListeningProcess,
  startService,
  type StartedService,
} from '../service/test/support/service-process';
import { NEVER_MS, startSink, stopAll } from './service-bench';

/** Rows in the patient's consultation list and in the provider's queue. */
const LIST_ROWS = 20;

export interface Target {
  readonly name: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  /** Which process answers: Koa's hello-world, the service, or the baseline build (BENCH_BASELINE_DIR). */
  readonly instance: 'helloWorld' | 'service' | 'baseline';
}

/** Production settings on a scratch database (migrated when this resolves), and the OTLP sink. */
export async function benchEnvironment() {
  const sink = await startSink();
  const env: NodeJS.ProcessEnv = {
    ...productionEnv(),
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? (await createTestDatabase('bench_hot')),
    REDIS_URL: process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL,
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    CONSULTATION_MAX_OPEN_REQUESTS: String(LIST_ROWS),
    LOG_LEVEL: 'info',
    // autocannon is one client address: the per-address request limit would measure 429s. The limiter
    // still counts every request (in memory; its counts reach Redis in batches).
    API_RATE_LIMIT_POINTS: '100000000',
  };
  // The first instance migrates the database.
  await stopInstances(await startInstances(env));
  return { env, sink };
}

/**
 * A patient with LIST_ROWS consultation requests, and a provider of their specialty (aal2) who accepted one
 * more: the provider cares for the patient (their read of the patient's record is allowed), and the
 * queue still holds LIST_ROWS requests. Made through the API of an in-process runtime on the same
 * database; their tokens work on every instance.
 */
export async function people(env: NodeJS.ProcessEnv) {
  const databaseUrl = env.DATABASE_URL!;
  const runtime = createRuntime(loadConfig(env), databaseUrl, createLogger({ level: 'error' }));
  const api = request(runtime.app.callback());
  try {
    const patient = await createPatient(runtime);
    const provider = await createProvider(runtime, { specialty: 'general_practice' });
    const requestOne = async () => {
      const response = await api
        .post('/v1/consultations')
        .set(patient.headers)
        .send({ specialty: 'general_practice', reason: 'Benchmark request' });
      expectStatus(response, 201, 'request a consultation');
      return (response.body as { id: string }).id;
    };
    const accepted = await api.post(`/v1/consultations/${await requestOne()}/accept`).set(provider.headers);
    expectStatus(accepted, 200, 'accept a consultation');
    for (let row = 0; row < LIST_ROWS; row += 1) await requestOne();
    return { patient: patient.headers, provider: provider.headers, patientId: patient.userId };
  } finally {
    await runtime.close();
  }
}

export type People = Awaited<ReturnType<typeof people>>;

/** The provider's read of the patient's record, as a path for BENCH_PATH. */
export const PROVIDER_READ_PATH = '/v1/patients/:patientId';

/**
 * A path as requested, and whose requests it is measured with: the provider's under /v1/providers/ and
 * for PROVIDER_READ_PATH (with the patient's id put in), else the patient's.
 */
export function requestFor(path: string, { patient, provider, patientId }: People) {
  if (path === PROVIDER_READ_PATH) return { path: `/v1/patients/${patientId}`, headers: provider };
  return { path, headers: path.startsWith('/v1/providers/') ? provider : patient };
}

/**
 * Service settings written `A=1,B=2` (BENCH_VARIANTS, BENCH_A...), as variables; split at each setting's
 * first `=` only: a value may hold one (NODE_OPTIONS=--max-semi-space-size=32).
 */
export const serviceSettings = (list = ''): Record<string, string> =>
  Object.fromEntries(
    list
      .split(',')
      .filter(Boolean)
      .map((setting) => [setting.slice(0, setting.indexOf('=')), setting.slice(setting.indexOf('=') + 1)]),
  );

export type Instances = Readonly<Record<Target['instance'], StartedService | undefined>>;

/**
 * Koa's hello-world and one instance of the built service, as `npm start` runs it; with `profileDir`, the
 * service writes a CPU profile there when it stops. With BENCH_BASELINE_DIR (a checkout of another
 * commit, built, its node_modules linked), that build runs beside it for a same-minute comparison.
 */
export async function startInstances(env: NodeJS.ProcessEnv, profileDir?: string): Promise<Instances> {
  // Sealing off unless a setting turns it on (BENCH_SETTINGS=AUDIT_SEAL_INTERVAL_MS=5000, production's).
  const serviceEnv = { AUDIT_SEAL_INTERVAL_MS: NEVER_MS, ...env };
  const service = await startService(serviceEnv, {
    built: true,
    keepOutput: false,
    nodeOptions: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  });
  const baselineDir = process.env.BENCH_BASELINE_DIR;
  const baseline = baselineDir
    ? await startService(serviceEnv, { built: true, keepOutput: false, cwd: baselineDir })
    : undefined;
  const helloWorld = await startListeningProcess(
    ['--import', 'tsx', 'loadtests/koa-hello-world.ts'],
    process.env,
  );
  return { helloWorld, service, baseline };
}

/** Stops every instance started by startInstances. */
export const stopInstances = (instances: Instances) =>
  stopAll(Object.values(instances).filter((instance) => instance !== undefined));
