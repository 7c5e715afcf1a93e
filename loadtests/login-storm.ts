/**
 * Login storm: 200 people log in at once (providers complete TOTP) against the real app on a fresh
 * database, while a cheap endpoint is sampled and the event loop's delay is measured.
 *
 *   npm run bench:login          (TEST_DATABASE_URL / REDIS_URL used when set, else embedded PostgreSQL)
 *
 * Prints login latency percentiles, the worst event-loop delay, and /healthz p99 quiet vs during the storm.
 * Exits 1 on any failed login.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { ARGON2_OPTIONS, createPasswordHasher } from '../service/src/auth/passwords';
import { newTotpSecret, totpCode } from '../service/src/auth/totp';
import { loadConfig } from '../service/src/config';
import { createLogger } from '../service/src/observability/logger';
import { createFieldCipher } from '../service/src/platform/field-cipher';
import { createRuntime } from '../service/src/runtime';
import { listen } from '../service/src/server';
import { createTestDatabase, stopTestServer } from '../service/test/support/environment';
import { percentile } from './percentile';

const PATIENTS = 150;
const PROVIDERS = 50;
const QUIET_MS = 2000;
const SAMPLE_EVERY_MS = 10;

interface Person {
  readonly email: string;
  readonly totpSecret?: string;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

async function seed(runtime: ReturnType<typeof createRuntime>, password: string): Promise<Person[]> {
  const { User, MfaFactor } = runtime.models;
  const cipher = createFieldCipher(runtime.config.encryption.keys, runtime.config.encryption.activeKeyId);
  // One hash for everyone: the seed measures nothing, and 200 hashes would only slow it down.
  const passwordHash = await createPasswordHasher(2).hash(password);
  const tag = randomBytes(3).toString('hex');
  const people: Person[] = [];
  const base = { passwordHash, lockedUntil: null, externalSubject: null, passwordChangedAt: new Date() };
  for (let i = 0; i < PATIENTS; i += 1) {
    const email = `storm.patient.${tag}.${i}@carewatch.test`;
    await User.create({ ...base, email, role: 'patient' });
    people.push({ email });
  }
  for (let i = 0; i < PROVIDERS; i += 1) {
    const email = `storm.provider.${tag}.${i}@carewatch.test`;
    const totpSecret = newTotpSecret();
    const user = await User.create({ ...base, email, role: 'provider', mfaEnrolled: true });
    await MfaFactor.create({
      userId: user.id,
      secretCiphertext: cipher.encrypt(totpSecret),
      confirmedAt: new Date(),
      lastUsedStep: null,
    });
    people.push({ email, totpSecret });
  }
  return people;
}

async function login(baseUrl: string, person: Person, password: string): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    return (await response.json()) as { status: string; mfaToken?: string; accessToken?: string };
  };
  const first = await post('/v1/auth/login', { email: person.email, password });
  if (first.status === 'authenticated') return;
  const verified = await post('/v1/auth/mfa/verify', {
    mfaToken: first.mfaToken,
    code: totpCode(person.totpSecret!),
  });
  if (!verified.accessToken) throw new Error('no access token after MFA');
}

/** Samples GET /healthz back to back (one in flight) until `stop` resolves. */
async function sampleHealth(baseUrl: string, stop: Promise<unknown>): Promise<number[]> {
  let stopped = false;
  void stop.finally(() => (stopped = true));
  const latencies: number[] = [];
  while (!stopped) {
    const started = performance.now();
    await (await fetch(`${baseUrl}/healthz`)).arrayBuffer();
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
  }
  return latencies;
}

async function main(): Promise<void> {
  const databaseUrl = await createTestDatabase('bench');
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX ?? '20',
    RATE_LIMIT_ADDRESS_POINTS: '1000000',
    API_RATE_LIMIT_POINTS: '1000000',
  });
  const runtime = createRuntime(config, databaseUrl, createLogger({ level: 'warn' }));
  await runtime.migrator.up();
  const password = `storm-${randomBytes(8).toString('hex')}`;
  const people = await seed(runtime, password);
  const server = await listen(runtime.app, 0, '127.0.0.1');
  try {
    const quiet = await sampleHealth(server.url, new Promise((resolve) => setTimeout(resolve, QUIET_MS)));
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const latencies: number[] = [];
    let failures = 0;
    const storm = Promise.all(
      people.map(async (person) => {
        const started = performance.now();
        try {
          await login(server.url, person, password);
          latencies.push(performance.now() - started);
        } catch (error) {
          failures += 1;
          console.error(`login failed: ${(error as Error).message}`);
        }
      }),
    );
    const stormStarted = performance.now();
    const [, during] = await Promise.all([storm, sampleHealth(server.url, storm)]);
    const stormSeconds = (performance.now() - stormStarted) / 1000;
    lag.disable();

    console.log(
      `login storm: ${people.length} logins (${PROVIDERS} with TOTP), argon2id m=${ARGON2_OPTIONS.memoryCost} t=${ARGON2_OPTIONS.timeCost} p=${ARGON2_OPTIONS.parallelism}`,
    );
    console.log(
      `  UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, hash concurrency ${config.auth.passwordHashConcurrency}, cache ${runtime.cache.backend}`,
    );
    console.log(
      `  errors: ${failures}; wall time ${stormSeconds.toFixed(2)} s (${(people.length / stormSeconds).toFixed(0)} logins/s)`,
    );
    console.log(
      `  login latency: p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, p99 ${ms(percentile(latencies, 99))}`,
    );
    console.log(`  event loop delay: max ${ms(lag.max / 1e6)}, p99 ${ms(lag.percentile(99) / 1e6)}`);
    console.log(
      `  GET /healthz p99: quiet ${ms(percentile(quiet, 99))} (${quiet.length} samples), storm ${ms(percentile(during, 99))} (${during.length} samples)`,
    );
    process.exitCode = failures === 0 ? 0 : 1;
  } finally {
    await server.drain(1000);
    await runtime.close();
    await stopTestServer();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
