/**
 * Async resources per request on the hot paths (`npm run bench:async`, after a build): the built service
 * as bench:hot runs it, with loadtests/async-resource-counter.ts preloaded, warmed with BENCH_REQUESTS
 * requests, then counted over as many again, for each path. A figure that stays the same from run to run
 * on a loaded machine, where CPU per request moves by ±20 %: it shows a change that adds or removes
 * promises (an async middleware layer, an await) however noisy the machine.
 *
 * BENCH_REQUESTS (2000); database and Redis as in hot-paths.ts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { stopTestServer } from '../service/test/support/environment';
import { startService } from '../service/test/support/service-process';
import { benchEnvironment, people, PROVIDER_READ_PATH, requestFor } from './hot-setup';
import { NEVER_MS, stopAll } from './service-bench';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const PATHS = [
  '/v1/patients/me',
  PROVIDER_READ_PATH,
  '/v1/patients/me/consultations',
  '/v1/providers/me/queue',
];

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

async function main(): Promise<void> {
  const { env, sink } = await benchEnvironment();
  const signedIn = await people(env);
  const file = join(mkdtempSync(join(tmpdir(), 'carewatch-async-')), 'counts.json');
  const service = await startService(
    { ...env, AUDIT_SEAL_INTERVAL_MS: NEVER_MS, ASYNC_RESOURCES_FILE: file },
    {
      built: true,
      keepOutput: false,
      nodeOptions: ['--import', 'tsx', '--import', './loadtests/async-resource-counter.ts'],
    },
  );
  try {
    for (const path of PATHS) {
      const sent = requestFor(path, signedIn);
      const run = async () => {
        const result = await autocannon({
          url: `http://127.0.0.1:${service.port}${sent.path}`,
          headers: sent.headers,
          amount: REQUESTS,
          connections: 8,
        });
        if (result.errors + result.non2xx > 0) throw new Error(`${path}: ${result.non2xx} non-2xx answers`);
      };
      await run(); // JIT, pools, caches
      await settle();
      service.child.kill('SIGUSR2');
      await settle();
      await run();
      await settle();
      service.child.kill('SIGUSR2');
      await settle();
      const counts = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
      const perRequest = Object.entries(counts)
        .map(([type, count]) => [type, count / REQUESTS] as const)
        .filter(([, count]) => count >= 0.05)
        .sort((a, b) => b[1] - a[1]);
      console.log(
        `${path}: ${perRequest.map(([type, count]) => `${type} ${count.toFixed(1)}`).join(', ')} per request`,
      );
    }
  } finally {
    await stopAll([service]);
    sink.server.close();
    await stopTestServer();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
