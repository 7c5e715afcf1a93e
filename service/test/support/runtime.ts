import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/observability/logger';
import { createRuntime, type Runtime } from '../../src/runtime';
import { migrateDatabase } from '../../../db/migrator';
import { runtimeLoginUrl } from '../../../db/test/seeded';
import { createTestDatabase, runId } from './environment';

export interface TestRuntime extends Runtime {
  /** Every log line the runtime wrote, parsed. */
  readonly logLines: () => Record<string, unknown>[];
}

export function testConfig(overrides: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    REDIS_URL: process.env.TEST_REDIS_URL,
    REDIS_KEY_PREFIX: `carewatch-test:${runId}:`,
    // Every test request comes from one address; the per-address limit has its own test and runtime.
    RATE_LIMIT_ADDRESS_POINTS: '1000000',
    API_RATE_LIMIT_POINTS: '1000000',
    // Test runtimes stay open until the run ends (variantRuntime), mostly idle: with the production ten
    // minutes each would keep a pool's worth of connections to the end, 83 of PostgreSQL's 100 at once.
    DATABASE_POOL_IDLE_MS: '10000',
    ...overrides,
  });
}

/** A fully wired service against `databaseUrl`, with its log captured in memory. */
export function createTestRuntime(databaseUrl: string, overrides: NodeJS.ProcessEnv = {}): TestRuntime {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const logger = createLogger({ level: 'debug', stream });
  const runtime = createRuntime(testConfig(overrides), databaseUrl, logger);
  const close = runtime.close.bind(runtime);
  return Object.assign(runtime, {
    logLines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    // Creating this runtime bound the models to it; closing it hands them back to the shared one.
    async close() {
      await close();
      if (shared) (await shared.catch(() => undefined))?.bindModels();
    },
  });
}

let shared: Promise<TestRuntime> | undefined;
let sharedUrl: string | undefined;
const variants: TestRuntime[] = [];

/**
 * One migrated database and runtime shared by the HTTP tests of a run. Tests create their own rows with
 * unique values (see factories) and never depend on what other tests wrote.
 */
export function sharedRuntime(): Promise<TestRuntime> {
  shared ??= (async () => {
    sharedUrl = await createTestDatabase('app');
    // TEST_RUNTIME_ROLE=app: migrate as the owner, then run as a non-owner login, as deployments do.
    if (process.env.TEST_RUNTIME_ROLE === 'app') {
      await migrateDatabase(sharedUrl);
      sharedUrl = await runtimeLoginUrl(sharedUrl);
    }
    const runtime = createTestRuntime(sharedUrl);
    runtime.bindModels();
    await runtime.migrator.up();
    return runtime;
  })();
  return shared;
}

/**
 * A second runtime with other settings (short timeouts, small rate limits, other signing keys) on the
 * shared database. Sequelize models are classes bound to the last connection that initialised them, so
 * a runtime in the same process must use the same database and stay open until the run ends: these
 * are closed with the shared one. Each gets its own cache namespace unless `overrides` names one.
 */
export async function variantRuntime(overrides: NodeJS.ProcessEnv): Promise<TestRuntime> {
  await sharedRuntime();
  const runtime = createTestRuntime(sharedUrl!, {
    REDIS_KEY_PREFIX: `carewatch-test:${runId}:v${variants.length}:`,
    ...overrides,
  });
  variants.push(runtime);
  // Until Redis answers, rate limits fall back to their in-memory stand-in; tests count from a known state.
  const redis = runtime.cache.redis;
  if (redis && redis.status !== 'ready') await once(redis, 'ready');
  return runtime;
}

export async function closeSharedRuntime(): Promise<void> {
  await Promise.all(variants.splice(0).map((runtime) => runtime.close()));
  if (!shared) return;
  const pending = shared;
  shared = undefined;
  // A runtime that never started has nothing to close; its failure was reported by the tests.
  const runtime = await pending.catch(() => undefined);
  await runtime?.close();
}
