/**
 * What tracing costs: the built service (`npm run bench:tracing` builds it first) is started three times,
 * like `npm start` does, with tracing off, on at the production default (10 % of traces recorded) and on
 * at 100 %, exporting over OTLP/HTTP to a local sink that discards what it receives. autocannon drives
 * a PHI read against each: GET /v1/patients/me as a signed-in patient (token and session checks, the
 * patient row, and the audit event written before the answer leaves).
 * Then one /metrics scrape is timed and its series counted.
 *
 * Database: BENCH_DATABASE_URL, else TEST_DATABASE_URL's server (a scratch database), else an embedded
 * PostgreSQL. Redis: BENCH_REDIS_URL or TEST_REDIS_URL, else the in-process cache.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { createDatabase, stopTestServer } from '../service/test/support/environment';
import { productionEnv } from '../service/test/support/production-env';
import { startService, type StartedService } from '../service/test/support/service-process';

const DURATION_SECONDS = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

interface Variant {
  readonly name: string;
  readonly env: NodeJS.ProcessEnv;
}

interface Figures {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

/** An OTLP/HTTP receiver that reads and drops every export, counting requests and bytes. */
async function startSink(): Promise<{ server: Server; url: string; received: () => string }> {
  let requests = 0;
  let bytes = 0;
  const server = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      requests += 1;
      response.writeHead(request.url === '/v1/traces' ? 200 : 404, { 'Content-Type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    received: () => `${requests} exports, ${(bytes / 1024).toFixed(0)} KiB`,
  };
}

async function load(url: string, duration: number, headers: Record<string, string>): Promise<Figures> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration, headers });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

async function scrape(port: number): Promise<{ ms: number; series: number }> {
  const url = `http://127.0.0.1:${port}/metrics`;
  await fetch(url).then((response) => response.text());
  const started = process.hrtime.bigint();
  const body = await fetch(url).then((response) => response.text());
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const series = body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
  return { ms, series };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * The three services run side by side and are loaded in turn, round after round, and each figure is the
 * median of its rounds: on a shared 2-core machine, load from elsewhere then hits every variant alike.
 */
/** Registers a patient on one instance and signs in; the token works on every instance (shared keys). */
async function signedInPatient(port: number): Promise<Record<string, string>> {
  const base = `http://127.0.0.1:${port}/v1/auth`;
  const email = `bench-${randomBytes(4).toString('hex')}@example.test`;
  const password = `bench-${randomBytes(9).toString('base64url')}-Pw`;
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const registered = await post('/register', {
    email,
    password,
    givenName: 'Bench',
    familyName: 'Patient',
    dateOfBirth: '1980-01-01',
  });
  if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
  const login = await post('/login', { email, password });
  const { accessToken } = (await login.json()) as { accessToken: string };
  return { authorization: `Bearer ${accessToken}` };
}

async function measureAll(variants: Variant[], baseEnv: NodeJS.ProcessEnv): Promise<Figures[]> {
  const services: StartedService[] = [];
  try {
    for (const variant of variants)
      services.push(await startService({ ...baseEnv, ...variant.env, LOG_LEVEL: 'error' }, { built: true }));
    const headers = await signedInPatient(services[0]!.port);
    const urls = services.map((service) => `http://127.0.0.1:${service.port}/v1/patients/me`);
    for (const url of urls) await load(url, 3, headers); // warm-up: JIT, pool connections
    const rounds: Figures[][] = variants.map(() => []);
    // Each round starts with another variant, so that whatever drifts during a run (the audit table
    // growing, checkpoints, other load) does not always fall on the same one.
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let step = 0; step < urls.length; step += 1) {
        const index = (round + step) % urls.length;
        rounds[index]!.push(await load(urls[index]!, DURATION_SECONDS, headers));
      }
    }
    const { ms, series } = await scrape(services[0]!.port);
    console.log(`/metrics scrape after load (tracing off): ${ms.toFixed(1)} ms, ${series} series`);
    return rounds.map((figures) => ({
      requestsPerSecond: median(figures.map((figure) => figure.requestsPerSecond)),
      p50: median(figures.map((figure) => figure.p50)),
      p99: median(figures.map((figure) => figure.p99)),
      errors: figures.reduce((sum, figure) => sum + figure.errors, 0),
    }));
  } finally {
    for (const service of services) {
      const exited = new Promise((resolve) => service.child.once('exit', resolve));
      service.child.kill('SIGTERM');
      await exited;
    }
  }
}

async function main(): Promise<void> {
  const sink = await startSink();
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? (await createDatabase('bench_tracing'));
  const baseEnv: NodeJS.ProcessEnv = {
    ...productionEnv(),
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL,
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
  };
  const variants: Variant[] = [
    { name: 'off', env: { TRACING_ENABLED: 'false' } },
    { name: 'on, 10 % (production default)', env: {} },
    { name: 'on, 100 %', env: { TRACING_SAMPLE_RATIO: '1' } },
  ];
  const measured = await measureAll(variants, baseEnv);
  const results = variants.map((variant, index) => [variant.name, measured[index]!] as const);

  const baseline = results[0]![1].requestsPerSecond;
  console.log(
    `\nGET /v1/patients/me (audited PHI read), ${CONNECTIONS} connections, median of ${ROUNDS} rounds of ${DURATION_SECONDS} s (sink: ${sink.received()})`,
  );
  console.log('tracing                        req/s    p50 ms  p99 ms  errors  vs off');
  for (const [name, figures] of results) {
    console.log(
      `${name.padEnd(30)} ${figures.requestsPerSecond.toFixed(0).padStart(6)}  ${String(figures.p50).padStart(6)}  ${String(figures.p99).padStart(6)}  ${String(figures.errors).padStart(6)}  ${(figures.requestsPerSecond / baseline).toFixed(2)}x`,
    );
  }
  console.log('targets: >= 0.85x at 10 %, >= 0.70x at 100 %');
  sink.server.close();
  await stopTestServer();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
