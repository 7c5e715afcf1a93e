/**
 * What tracing costs: the built service (`npm run bench:tracing` builds it first) is started three times,
 * like `npm start` does, with tracing off, on at the production default (10 % of traces recorded) and on
 * at 100 %, exporting over OTLP/HTTP to a local sink that discards what it receives. autocannon drives
 * a PHI read against each: GET /v1/patients/me as a signed-in patient (token and session checks, the
 * patient row, and the audit event written before the answer leaves).
 *
 * These machines share their cores with neighbours whose load comes and goes: back-to-back runs of the
 * same build differ by up to 2x. So the variants are compared in short slices, one right after the other
 * (off, 10 %, 100 %, with the order rotating), and each slice gives a ratio to the tracing-off slice
 * beside it; the figures are medians of those ratios. Each slice also reads the service's own
 * `process_cpu_seconds_total`, giving the CPU time a request costs (capacity on a CPU-bound service).
 * Every round starts fresh processes: one process's JIT and heap history can keep it faster or slower
 * than its twin for its whole life. Then one /metrics scrape is timed and its series counted.
 *
 * BENCH_ROUNDS (5), BENCH_SLICES per round (4), BENCH_SLICE_SECONDS (3), BENCH_CONNECTIONS (32).
 * Database: BENCH_DATABASE_URL, else TEST_DATABASE_URL's server (a scratch database), else an embedded
 * PostgreSQL. Redis: BENCH_REDIS_URL or TEST_REDIS_URL, else the in-process cache.
 */
import { createTestDatabase, stopTestServer } from '../service/test/support/environment';
import { productionEnv } from '../service/test/support/production-env';
import { startService, type StartedService } from '../service/test/support/service-process';
import {
  load as loadSlice,
  median,
  NEVER_MS,
  signedInPatient,
  startSink,
  stopAll,
  type Figures,
} from './service-bench';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SLICES = Number(process.env.BENCH_SLICES ?? 4);
const SLICE_SECONDS = Number(process.env.BENCH_SLICE_SECONDS ?? 3);
const WARM_UP_SECONDS = 3;

interface Variant {
  readonly name: string;
  readonly env: NodeJS.ProcessEnv;
}

const load = (port: number, duration: number, headers: Record<string, string>) =>
  loadSlice({ port, path: '/v1/patients/me', duration, connections: CONNECTIONS, headers });

async function scrape(port: number): Promise<{ ms: number; series: number }> {
  const url = `http://127.0.0.1:${port}/metrics`;
  await fetch(url).then((response) => response.text());
  const started = process.hrtime.bigint();
  const body = await fetch(url).then((response) => response.text());
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const series = body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
  return { ms, series };
}

/** Fresh instances, warmed up, then SLICES slices: in each, every variant loaded one right after the other. */
async function measureRound(
  round: number,
  variants: readonly Variant[],
  baseEnv: NodeJS.ProcessEnv,
  headers: Record<string, string>,
): Promise<{ slices: Figures[][]; scraped: { ms: number; series: number } }> {
  const services: StartedService[] = [];
  const slices: Figures[][] = [];
  try {
    for (const variant of variants)
      services.push(
        await startService(
          { ...baseEnv, ...variant.env, AUDIT_SEAL_INTERVAL_MS: NEVER_MS, LOG_LEVEL: 'error' },
          { built: true },
        ),
      );
    for (const service of services) await load(service.port, WARM_UP_SECONDS, headers); // JIT, pool
    for (let slice = 0; slice < SLICES; slice += 1) {
      const figures: Figures[] = [];
      for (let step = 0; step < variants.length; step += 1) {
        const index = (round + slice + step) % variants.length;
        figures[index] = await load(services[index]!.port, SLICE_SECONDS, headers);
      }
      slices.push(figures);
    }
    return { slices, scraped: await scrape(services[0]!.port) };
  } finally {
    await stopAll(services);
  }
}

interface Summary {
  readonly figures: Figures;
  /** Median over slices of this variant's req/s over the tracing-off slice's. */
  readonly throughputRatio: number;
  /** Median over slices of the tracing-off slice's CPU per request over this variant's. */
  readonly capacityRatio: number;
}

function summarise(slices: Figures[][], index: number): Summary {
  const own = slices.map((slice) => slice[index]!);
  return {
    figures: {
      requestsPerSecond: median(own.map((figure) => figure.requestsPerSecond)),
      cpuMicroseconds: median(own.map((figure) => figure.cpuMicroseconds)),
      p50: median(own.map((figure) => figure.p50)),
      p99: median(own.map((figure) => figure.p99)),
      errors: own.reduce((sum, figure) => sum + figure.errors, 0),
    },
    throughputRatio: median(
      slices.map((slice) => slice[index]!.requestsPerSecond / slice[0]!.requestsPerSecond),
    ),
    capacityRatio: median(slices.map((slice) => slice[0]!.cpuMicroseconds / slice[index]!.cpuMicroseconds)),
  };
}

/**
 * Sealing the audit chain, which one instance of a deployment does at a time, runs in an instance of its
 * own that takes no load: with a lock taken per sealing round it would fall on whichever measured
 * instance's timer fires first, and that one's CPU figures would carry everybody's sealing.
 */
async function measureAll(variants: readonly Variant[], baseEnv: NodeJS.ProcessEnv): Promise<Summary[]> {
  const housekeeper = await startService(
    { ...baseEnv, TRACING_ENABLED: 'false', LOG_LEVEL: 'error' },
    { built: true },
  );
  try {
    const headers = await signedInPatient(housekeeper.port);
    const slices: Figures[][] = [];
    let scraped = { ms: 0, series: 0 };
    for (let round = 0; round < ROUNDS; round += 1) {
      const result = await measureRound(round, variants, baseEnv, headers);
      slices.push(...result.slices);
      scraped = result.scraped;
      const last = slices.at(-1)!;
      console.log(
        `round ${round + 1}/${ROUNDS}, last slice: ${variants.map((variant, index) => `${variant.name} ${last[index]!.requestsPerSecond.toFixed(0)} req/s ${last[index]!.cpuMicroseconds.toFixed(0)} µs`).join(' | ')}`,
      );
    }
    console.log(
      `/metrics scrape after load (tracing off): ${scraped.ms.toFixed(1)} ms, ${scraped.series} series`,
    );
    return variants.map((_, index) => summarise(slices, index));
  } finally {
    await stopAll([housekeeper]);
  }
}

async function main(): Promise<void> {
  const sink = await startSink();
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? (await createTestDatabase('bench_tracing'));
  const baseEnv: NodeJS.ProcessEnv = {
    ...productionEnv(),
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL,
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    // autocannon is one client address: the per-address request limit would measure 429s.
    API_RATE_LIMIT_POINTS: '100000000',
  };
  const variants: Variant[] = [
    { name: 'off', env: { TRACING_ENABLED: 'false' } },
    { name: 'on, 10 % (production default)', env: {} },
    { name: 'on, 100 %', env: { TRACING_SAMPLE_RATIO: '1' } },
  ];
  const summaries = await measureAll(variants, baseEnv);

  console.log(
    `\nGET /v1/patients/me (audited PHI read), ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SLICES} slices of ${SLICE_SECONDS} s per variant (sink: ${sink.received()})`,
  );
  console.log(
    'tracing                         req/s  p50 ms  p99 ms  errors  CPU µs/req  throughput  capacity',
  );
  for (const [index, { figures, throughputRatio, capacityRatio }] of summaries.entries()) {
    console.log(
      [
        variants[index]!.name.padEnd(30),
        figures.requestsPerSecond.toFixed(0).padStart(6),
        String(figures.p50).padStart(7),
        String(figures.p99).padStart(7),
        String(figures.errors).padStart(7),
        figures.cpuMicroseconds.toFixed(0).padStart(11),
        `${throughputRatio.toFixed(2)}x`.padStart(11),
        `${capacityRatio.toFixed(2)}x`.padStart(9),
      ].join(' '),
    );
  }
  console.log(
    'ratios: medians over slices, each against the tracing-off slice beside it; capacity = CPU per request off / on',
  );
  console.log('targets: >= 0.85x at 10 %, >= 0.70x at 100 %');
  sink.server.close();
  await stopTestServer();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
