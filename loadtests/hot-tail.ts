/**
 * The PHI read's tail at a fixed rate, second by second (`npm run bench:tail`, which builds first): one
 * instance of the built service, warmed up, then BENCH_RATE requests a second, evenly spaced
 * (paced-load.ts), for BENCH_RATE_SECONDS. Prints the percentiles, the p99 of each second, every stall
 * (answers later than BENCH_STALL_MS, runs within 50 ms counted as one, with its worst latency) and how
 * many connections the service opened to PostgreSQL meanwhile: a periodic stall shows by its spacing.
 *
 * BENCH_RATE (1000), BENCH_RATE_SECONDS (30), BENCH_STALL_MS (12), BENCH_PATH as in profile-hot.ts,
 * BENCH_SETTINGS: service settings `A=1,B=2` (hot-setup.ts's serviceSettings), e.g. TRACING_ENABLED=false, or
 * AUDIT_SEAL_INTERVAL_MS=5000 to seal the audit trail as production does (the benchmarks do not seal otherwise).
 */
import { Client } from 'pg';
import { stopTestServer } from '../service/test/support/environment';
import {
  benchEnvironment,
  people,
  requestFor,
  serviceSettings,
  startInstances,
  stopInstances,
  type Instances,
} from './hot-setup';
import { pacedLoad } from './paced-load';
import { percentile } from './percentile';
import { load } from './service-bench';

const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 30);
const STALL_MS = Number(process.env.BENCH_STALL_MS ?? 12);
const PATH = process.env.BENCH_PATH ?? '/v1/patients/me';

/** Connections opened to the database so far (PostgreSQL's own count, pg_stat_database.sessions). */
async function sessionsOpened(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ sessions: string }>(
      'SELECT sessions FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(rows[0]!.sessions);
  } finally {
    await client.end();
  }
}

/** Late answers, one entry per run of them (within 50 ms of the run's first): [due ms, worst latency]. */
function stallsOf(answers: readonly (readonly [number, number])[]): [number, number][] {
  const stalls: [number, number][] = [];
  for (const [due, latency] of [...answers].sort((a, b) => a[0] - b[0])) {
    if (latency <= STALL_MS) continue;
    const last = stalls.at(-1);
    if (last && due - last[0] < 50) last[1] = Math.max(last[1], latency);
    else stalls.push([due, latency]);
  }
  return stalls;
}

async function main(): Promise<void> {
  const { env, sink } = await benchEnvironment();
  let instances: Instances | undefined;
  try {
    const signedIn = await people(env);
    instances = await startInstances({ ...env, ...serviceSettings(process.env.BENCH_SETTINGS) });
    const target = { port: instances.service!.port, ...requestFor(PATH, signedIn) };
    await load({ ...target, connections: 32, duration: 3 });
    const answers: [number, number][] = [];
    const sessionsBefore = await sessionsOpened(env.DATABASE_URL!);
    const figures = await pacedLoad({
      ...target,
      rate: RATE,
      seconds: SECONDS,
      onAnswer: (due, latency) => answers.push([due, latency]),
    });
    // The count's own connection is one of them.
    const opened = (await sessionsOpened(env.DATABASE_URL!)) - sessionsBefore - 1;
    const latencies = answers.map(([, latency]) => latency);
    const ms = (value: number) => value.toFixed(1);
    console.log(
      `GET ${PATH} at ${RATE} req/s for ${SECONDS} s (${process.env.BENCH_SETTINGS ?? 'default settings'}): p50 ${ms(percentile(latencies, 50))}, p90 ${ms(percentile(latencies, 90))}, p99 ${ms(percentile(latencies, 99))}, p99.9 ${ms(percentile(latencies, 99.9))}, max ${ms(figures.max)} ms; ${figures.errors} errors; ${opened} database connections opened`,
    );
    const seconds: number[][] = [];
    for (const [due, latency] of answers) (seconds[Math.floor(due / 1000)] ??= []).push(latency);
    console.log(
      `p99 of each second (ms): ${seconds.map((second) => percentile(second, 99).toFixed(0)).join(' ')}`,
    );
    const stalls = stallsOf(answers);
    console.log(
      `${stalls.length} stalls over ${STALL_MS} ms (due at ms: worst ms): ${stalls.map(([due, worst]) => `${due.toFixed(0)}:${worst.toFixed(0)}`).join(' ')}`,
    );
  } finally {
    if (instances) await stopInstances(instances);
    sink.server.close();
    await stopTestServer();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
