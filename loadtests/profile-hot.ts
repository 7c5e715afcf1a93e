/**
 * A CPU profile of the audited PHI read under load (`npm run profile:hot`, which builds first): one
 * instance of the built service runs with --cpu-prof while autocannon drives GET BENCH_PATH
 * (/v1/patients/me; `/v1/patients/:patientId` is the provider's read of the patient, a /v1/providers/ path is
 * sent as the provider, anything else as the patient; hot-setup.ts's requestFor) after a warm-up, then stops; the profile is summarised (loadtests/profile-summary.ts) and kept in
 * BENCH_PROFILE_DIR (a temporary folder by default).
 *
 * BENCH_PROFILE_SECONDS (20), BENCH_CONNECTIONS (32), BENCH_SETTINGS: service settings `A=1,B=2`
 * (hot-setup.ts's serviceSettings), e.g. TRACING_ENABLED=false. BENCH_RATE: requests per second, evenly spaced
 * (paced-load.ts), instead of as many as the connections get answered: the work at a load the service
 * keeps up with, which costs more per request than at saturation.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { load } from './service-bench';

const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const PATH = process.env.BENCH_PATH ?? '/v1/patients/me';
const RATE = process.env.BENCH_RATE ? Number(process.env.BENCH_RATE) : undefined;

async function main(): Promise<void> {
  const dir = process.env.BENCH_PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'carewatch-profile-'));
  const { env, sink } = await benchEnvironment();
  let instances: Instances | undefined;
  // Seconds from the service's start to the measured load: the summary leaves start-up and warm-up out.
  let measuredFrom: number | undefined;
  try {
    const signedIn = await people(env);
    const spawned = Date.now();
    instances = await startInstances({ ...env, ...serviceSettings(process.env.BENCH_SETTINGS) }, dir);
    const slice = {
      port: instances.service!.port,
      ...requestFor(PATH, signedIn),
      connections: CONNECTIONS,
    };
    await load({ ...slice, duration: 3 });
    measuredFrom = (Date.now() - spawned) / 1000;
    const figures = RATE
      ? await pacedLoad({ ...slice, rate: RATE, seconds: SECONDS })
      : await load({ ...slice, duration: SECONDS });
    console.log(
      `GET ${PATH} under the profiler: ${figures.requestsPerSecond.toFixed(0)} req/s, p99 ${figures.p99} ms, ${figures.errors} errors (load ${loadavg()[0]!.toFixed(1)})`,
    );
    // A profile of refused answers would show the wrong work.
    if (figures.errors > 0) throw new Error(`${figures.errors} answers were errors or not 2xx`);
  } finally {
    if (instances) await stopInstances(instances);
    sink.server.close();
    await stopTestServer();
  }
  console.log(
    execFileSync('npx', ['tsx', 'loadtests/profile-summary.ts', dir, '20', (measuredFrom ?? 0).toFixed(1)], {
      encoding: 'utf8',
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
