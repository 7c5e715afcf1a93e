import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../alerts/src/generated-check';
import { listen } from '../../service/src/server';
import { startIdentityProvider } from '../../service/test/support/identity-provider';
import { variantRuntime } from '../../service/test/support/runtime';
import { pollUntil } from './poll';
import { queryNumber, ruleGroups, targetHealth } from './prometheus-api';
import { startPrometheus } from './prometheus-server';
import { ROUND_STEPS, prepareWorkload, workloadOverrides } from './clinical-workload';
import { startWorkload } from './workload';

// The service listening on a real port, a real Prometheus scraping it and evaluating our rule files, and
// the synthetic workload run until Prometheus holds a few scrapes of it.

const JOB = 'carewatch';
/**
 * rate() needs two samples in its window; one more makes sure the workload ran between two of them. The
 * wait for the first scrape (Prometheus hands new targets to its scrapers every 5 s) dominates anyway.
 */
const MIN_SCRAPES = 3;

export interface ObservedService {
  readonly prometheusUrl: string;
  /** Unix seconds after the last rule evaluation that saw the whole workload: query at this time. */
  readonly settledAt: number;
  /** The rule files Prometheus was told to load. */
  readonly ruleFiles: readonly string[];
  stop(): Promise<void>;
}

export function ruleFilesToLoad(): string[] {
  const dir = join(REPO_ROOT, 'alerts', 'dist');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.rules.yml'))
    .sort()
    .map((f) => join(dir, f));
}

async function scrapesSoFar(prometheusUrl: string): Promise<number> {
  const health = await targetHealth(prometheusUrl, JOB);
  if (health.length === 0 || health.some((h) => h !== 'up')) return 0;
  const count = await queryNumber(prometheusUrl, `count_over_time(up{job="${JOB}"}[1h])`);
  return Number.isNaN(count) ? 0 : count;
}

export async function observeService(prometheusBinary: string): Promise<ObservedService> {
  // Its own runtime, so its metrics hold only what the workload did, whatever other tests ran before.
  // The identity provider the service trusts besides itself: its key fetch is what the breaker guards.
  const identityProvider = await startIdentityProvider();
  const runtime = await variantRuntime(workloadOverrides(identityProvider));
  const server = await listen(runtime.app, 0, '127.0.0.1');
  const ruleFiles = ruleFilesToLoad();
  const stopServer = async () => {
    await server.drain(1_000);
    await identityProvider.stop();
  };
  const prometheus = await startPrometheus({
    binary: prometheusBinary,
    target: new URL(server.url).host,
    job: JOB,
    ruleFiles,
  }).catch(async (error: unknown) => {
    await stopServer();
    throw error;
  });
  const stop = async () => {
    await prometheus.stop();
    await stopServer();
  };

  try {
    const workload = startWorkload(
      server.url,
      await prepareWorkload(runtime, server.url, identityProvider),
      ROUND_STEPS,
    );
    await pollUntil(`${MIN_SCRAPES} scrapes of the workload`, async () => {
      if (workload.failure() !== undefined) return true;
      return workload.rounds() > 0 && (await scrapesSoFar(prometheus.url)) >= MIN_SCRAPES;
    });
    await workload.stop();

    // One more scrape and one more evaluation of every group, so all of the workload is in the recordings.
    const mark = Date.now() / 1000;
    await pollUntil('a scrape and a rule evaluation after the workload', async () => {
      const scrapedAt = await queryNumber(prometheus.url, `timestamp(up{job="${JOB}"})`);
      const groups = await ruleGroups(prometheus.url);
      return scrapedAt > mark && groups.every((g) => Date.parse(g.lastEvaluation) / 1000 > mark);
    });
    return { prometheusUrl: prometheus.url, settledAt: Date.now() / 1000, ruleFiles, stop };
  } catch (error) {
    const output = prometheus.output();
    await stop();
    throw output ? new Error(`${String(error)}\nPrometheus said:\n${output}`) : error;
  }
}
