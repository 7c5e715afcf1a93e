/**
 * Two variants of the built service loaded at the same time (`npx tsx loadtests/side-by-side.ts`, after
 * `npm run build`): each gets its own autocannon with BENCH_CONNECTIONS (32) on BENCH_PATH
 * (/v1/patients/me; sent as hot-setup.ts's requestFor says), for BENCH_ROUNDS (8) rounds of BENCH_SLICE_SECONDS (5). Both share the machine, the
 * database and Redis in the same seconds, so a machine whose speed moves by a fifth from one second to
 * the next (as these do) moves both alike: the figure is the median of B's req/s over A's per round.
 * Slices taken one after the other (hot-cpu.ts, bench:hot's baseline) could not tell apart changes
 * smaller than that.
 *
 * BENCH_A and BENCH_B: each a list of service settings (`A=1,B=2`; empty is the defaults), and/or
 * BENCH_A_DIR, BENCH_B_DIR: a built checkout of another commit (node_modules linked) to run instead.
 * Database and Redis as in hot-paths.ts.
 */
import { stopTestServer } from '../service/test/support/environment';
import { startService, type StartedService } from '../service/test/support/service-process';
import { benchEnvironment, people, requestFor, serviceSettings } from './hot-setup';
import { load, median, NEVER_MS, stopAll, type Figures } from './service-bench';

const PATH = process.env.BENCH_PATH ?? '/v1/patients/me';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const SLICE_SECONDS = Number(process.env.BENCH_SLICE_SECONDS ?? 5);

async function main(): Promise<void> {
  const { env, sink } = await benchEnvironment();
  const started: StartedService[] = [];
  try {
    const sent = requestFor(PATH, await people(env));
    for (const side of ['A', 'B'] as const) {
      const serviceEnv = {
        ...env,
        AUDIT_SEAL_INTERVAL_MS: NEVER_MS,
        ...serviceSettings(process.env[`BENCH_${side}`]),
      };
      const cwd = process.env[`BENCH_${side}_DIR`];
      started.push(
        await startService(serviceEnv, { built: true, keepOutput: false, ...(cwd ? { cwd } : {}) }),
      );
    }
    const both = (duration: number) =>
      Promise.all(
        started.map((service) => load({ port: service.port, ...sent, connections: CONNECTIONS, duration })),
      );
    await both(3); // JIT, pools
    const rounds: (readonly [Figures, Figures])[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const [a, b] = await both(SLICE_SECONDS);
      rounds.push([a!, b!]);
      console.log(
        `round ${round + 1}/${ROUNDS}: A ${a!.requestsPerSecond.toFixed(0)} req/s (${a!.cpuMicroseconds.toFixed(0)} µs CPU), ` +
          `B ${b!.requestsPerSecond.toFixed(0)} req/s (${b!.cpuMicroseconds.toFixed(0)} µs CPU), B/A ${(b!.requestsPerSecond / a!.requestsPerSecond).toFixed(3)}`,
      );
    }
    const ratios = rounds.map(([a, b]) => b.requestsPerSecond / a.requestsPerSecond);
    const cpuRatios = rounds.map(([a, b]) => b.cpuMicroseconds / a.cpuMicroseconds);
    console.log(
      `\nB/A req/s: median ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}); ` +
        `B/A service CPU per request: median ${median(cpuRatios).toFixed(3)}; errors A ${rounds.reduce((n, [a]) => n + a.errors, 0)}, B ${rounds.reduce((n, [, b]) => n + b.errors, 0)}`,
    );
  } finally {
    await stopAll(started);
    sink.server.close();
    await stopTestServer();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
