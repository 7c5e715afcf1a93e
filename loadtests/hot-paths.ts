/**
 * The hot paths against Koa's ceiling (`npm run bench:hot`, which builds first): Koa's hello-world and
 * the built service (as `npm start` runs it: production settings, tracing at 10 %, access log at info),
 * loaded by autocannon in short slices one right after the other, the order rotating:
 *
 *   hello-world                    the smallest Koa 3 app, its own process
 *   GET /v1/patients/me            the audited PHI read, as a signed-in patient
 *   GET /v1/patients/:patientId    the same record read by a provider who cares for the patient (aal2)
 *   GET /v1/patients/me/consultations   a patient's list (20 rows), audited
 *   GET /v1/providers/me/queue     a provider's queue (20 requests of their specialty), aal2, audited
 *
 * Each slice gives each route's ratio to the hello-world slice beside it; the figures are medians over
 * slices, so neighbours' load on a shared machine moves both sides of a ratio alike. Then the PHI read at
 * a fixed 1,000 req/s evenly spaced (paced-load.ts), for its latency when not saturated (from the start
 * and once settled, SETTLE_SECONDS). Load averages are printed with
 * the figures.
 *
 * BENCH_ROUNDS (3), BENCH_SLICES per round (3), BENCH_SLICE_SECONDS (3), BENCH_CONNECTIONS (32),
 * BENCH_RATE (1000), BENCH_RATE_SECONDS (10). Database and Redis as in tracing-overhead.ts: the issue's
 * figures are with the real servers, TEST_DATABASE_URL and TEST_REDIS_URL set (else the embedded
 * PostgreSQL, and no Redis); the first line printed says which.
 * BENCH_BASELINE_DIR: a built checkout of another commit (node_modules linked) whose PHI read is measured
 * in the same slices, for a before/after ratio that the machine's load cannot skew.
 */
import { loadavg } from 'node:os';
import { stopTestServer } from '../service/test/support/environment';
import {
  benchEnvironment,
  people,
  PROVIDER_READ_PATH,
  requestFor,
  startInstances,
  stopInstances,
  type Target,
} from './hot-setup';
import { latencyFigures, pacedLoad, type LatencyFigures } from './paced-load';
import { load, median, type Figures } from './service-bench';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SLICES = Number(process.env.BENCH_SLICES ?? 3);
const SLICE_SECONDS = Number(process.env.BENCH_SLICE_SECONDS ?? 3);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 10);
const WARM_UP_SECONDS = 3;
/**
 * The paced run lasts this much longer than BENCH_RATE_SECONDS: the first seconds after the saturating
 * warm-up are the worst (the service settling from saturation to the rate, see bench:tail), so the run is
 * reported twice, from its start (as until the eighth session) and from here on.
 */
const SETTLE_SECONDS = 3;

const load1 = () => loadavg()[0]!.toFixed(1);

async function measureRound(round: number, targets: readonly Target[], env: NodeJS.ProcessEnv) {
  const instances = await startInstances(env);
  const slice = (target: Target, duration: number) =>
    load({
      port: instances[target.instance]!.port,
      path: target.path,
      headers: target.headers,
      duration,
      connections: CONNECTIONS,
      measureCpu: target.instance !== 'helloWorld',
    });
  try {
    for (const target of targets) await slice(target, WARM_UP_SECONDS); // JIT, pools
    const slices: Figures[][] = [];
    for (let index = 0; index < SLICES; index += 1) {
      const figures: Figures[] = [];
      for (let step = 0; step < targets.length; step += 1) {
        const at = (round + index + step) % targets.length;
        figures[at] = await slice(targets[at]!, SLICE_SECONDS);
      }
      slices.push(figures);
      console.log(
        `round ${round + 1}/${ROUNDS} slice ${index + 1}/${SLICES} (load ${load1()}): ${targets.map((target, at) => `${target.name} ${figures[at]!.requestsPerSecond.toFixed(0)}`).join(' | ')} req/s`,
      );
    }
    return slices;
  } finally {
    await stopInstances(instances);
  }
}

/**
 * The PHI read at a fixed rate, evenly spaced (paced-load.ts), on a fresh instance warmed at saturation:
 * its latency when the service keeps up, over RATE_SECONDS from the start and from SETTLE_SECONDS on.
 */
async function atFixedRate(target: Target, env: NodeJS.ProcessEnv) {
  const instances = await startInstances(env);
  try {
    const base = { port: instances.service!.port, path: target.path, headers: target.headers };
    await load({ ...base, duration: WARM_UP_SECONDS, connections: CONNECTIONS });
    const answers: [number, number][] = [];
    const figures = await pacedLoad({
      ...base,
      rate: RATE,
      seconds: RATE_SECONDS + SETTLE_SECONDS,
      onAnswer: (due, latency) => answers.push([due, latency]),
    });
    const windowFrom = (second: number) =>
      latencyFigures(
        answers
          .filter(([due]) => due >= second * 1000 && due < (second + RATE_SECONDS) * 1000)
          .map(([, latency]) => latency),
      );
    return { figures, fromStart: windowFrom(0), settled: windowFrom(SETTLE_SECONDS) };
  } finally {
    await stopInstances(instances);
  }
}

function report(targets: readonly Target[], slices: readonly Figures[][]): void {
  console.log(
    `\n${CONNECTIONS} connections, ${ROUNDS} rounds of ${SLICES} slices of ${SLICE_SECONDS} s per target; medians over slices`,
  );
  console.log(
    'target                               req/s  p50 ms  p99 ms  errors  CPU µs/req  ratio to hello',
  );
  for (const [at, target] of targets.entries()) {
    const own = slices.map((slice) => slice[at]!);
    const ratio = median(slices.map((slice) => slice[at]!.requestsPerSecond / slice[0]!.requestsPerSecond));
    console.log(
      [
        target.name.padEnd(34),
        median(own.map((f) => f.requestsPerSecond))
          .toFixed(0)
          .padStart(7),
        String(median(own.map((f) => f.p50))).padStart(7),
        String(median(own.map((f) => f.p99))).padStart(7),
        String(own.reduce((sum, f) => sum + f.errors, 0)).padStart(7),
        (target.instance === 'helloWorld'
          ? '-'
          : median(own.map((f) => f.cpuMicroseconds)).toFixed(0)
        ).padStart(11),
        ratio.toFixed(3).padStart(15),
      ].join(' '),
    );
  }
}

async function main(): Promise<void> {
  console.log(
    `load averages at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  const { env, sink } = await benchEnvironment();
  // Figures with the embedded PostgreSQL or without Redis measure another setup: say which one this is.
  console.log(
    `PostgreSQL ${new URL(env.DATABASE_URL!).host}${process.env.TEST_DATABASE_URL || process.env.BENCH_DATABASE_URL ? '' : ' (embedded)'}, Redis ${env.REDIS_URL ?? 'none (sessions and the request limit in process)'}`,
  );
  const signedIn = await people(env);
  const { patient, provider } = signedIn;
  const targets: Target[] = [
    { name: 'Koa hello-world', path: '/', headers: {}, instance: 'helloWorld' },
    { name: 'GET /v1/patients/me', path: '/v1/patients/me', headers: patient, instance: 'service' },
    {
      name: 'GET /v1/patients/:id, provider',
      ...requestFor(PROVIDER_READ_PATH, signedIn),
      instance: 'service',
    },
    {
      name: 'GET /v1/patients/me/consultations',
      path: '/v1/patients/me/consultations',
      headers: patient,
      instance: 'service',
    },
    {
      name: 'GET /v1/providers/me/queue',
      path: '/v1/providers/me/queue',
      headers: provider,
      instance: 'service',
    },
    ...(process.env.BENCH_BASELINE_DIR
      ? [
          {
            name: 'GET /v1/patients/me, baseline',
            path: '/v1/patients/me',
            headers: patient,
            instance: 'baseline' as const,
          },
        ]
      : []),
  ];
  const slices: Figures[][] = [];
  for (let round = 0; round < ROUNDS; round += 1) slices.push(...(await measureRound(round, targets, env)));
  report(targets, slices);

  const { figures: fixed, fromStart, settled } = await atFixedRate(targets[1]!, env);
  const window = ({ p50, p99, max }: LatencyFigures) => `p50 ${p50} ms, p99 ${p99} ms, max ${max} ms`;
  console.log(
    `\nGET /v1/patients/me at ${RATE} req/s, evenly spaced, for ${RATE_SECONDS + SETTLE_SECONDS} s: ${fixed.requestsPerSecond.toFixed(0)} req/s, ${fixed.errors} errors`,
  );
  console.log(`  its first ${RATE_SECONDS} s, right after the warm-up at saturation: ${window(fromStart)}`);
  console.log(
    `  ${RATE_SECONDS} s from ${SETTLE_SECONDS} s on, settled at the rate:       ${window(settled)}`,
  );
  console.log(
    `load averages at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  console.log('targets: ratio >= 0.10 for GET /v1/patients/me; p99 < 20 ms at 1,000 req/s (settled)');
  // A refused or failed answer is cheaper than the work measured: figures with any of them mean nothing.
  const errors = slices.flat().reduce((sum, f) => sum + f.errors, fixed.errors);
  if (errors > 0) {
    console.error(
      `INVALID: ${errors} answers were errors or not 2xx; the figures above do not measure the routes`,
    );
    process.exitCode = 1;
  }
  sink.server.close();
  await stopTestServer();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
