import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../alerts/src/generated-check';
import { freePort } from '../../service/src/platform/embedded/database';
import type { Runtime } from '../../service/src/runtime';
import { listen } from '../../service/src/server';
import { startIdentityProvider } from '../../service/test/support/identity-provider';
import { variantRuntime } from '../../service/test/support/runtime';
import { pollUntil } from './poll';
import { queryNumber, ruleGroups, targetHealth } from './prometheus-api';
import { startPrometheus } from './prometheus-server';
import { ROUND_STEPS, prepareWorkload, workloadOverrides } from './clinical-workload';
import { startWorkload, type RunningWorkload } from './workload';
import { startAlertmanager } from './alertmanager-server';

// The service listening on a real port, a real Prometheus scraping it and evaluating our rule files (and,
// when asked, an Alertmanager it sends its alerts to), and the synthetic workload run until Prometheus
// holds a few scrapes of it. The service is told both URLs, as a deployment's console would be.

const JOB = 'carewatch';
/**
 * rate() needs two samples in its window; one more makes sure the workload ran between two of them. The
 * wait for the first scrape (Prometheus hands new targets to its scrapers every 5 s) dominates anyway.
 */
const MIN_SCRAPES = 3;

export interface ObserveOptions {
  /** Also run this Alertmanager binary, receiving from the Prometheus. */
  readonly alertmanagerBinary?: string;
  /** Leave the workload running after Prometheus settled (live charts); stop() stops it. */
  readonly keepWorkload?: boolean;
  /**
   * Runs after the workload's one-off events and before its rounds, while nothing else writes: where a
   * test raises a condition on purpose (a sweeper tick then expires only what the test requested).
   */
  beforeRounds?(runtime: Runtime, serviceUrl: string): Promise<void>;
}

export interface ObservedService {
  /** The scraped runtime, and where it listens. */
  readonly runtime: Runtime;
  readonly serviceUrl: string;
  readonly prometheusUrl: string;
  readonly alertmanagerUrl?: string;
  readonly workload: RunningWorkload;
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

export async function observeService(
  prometheusBinary: string,
  options: ObserveOptions = {},
): Promise<ObservedService> {
  const alertmanager = options.alertmanagerBinary
    ? await startAlertmanager(options.alertmanagerBinary)
    : undefined;
  // Chosen first, so the service can be told where its Prometheus will be.
  const prometheusPort = await freePort();
  const urls = {
    PROMETHEUS_URL: `http://127.0.0.1:${prometheusPort}`,
    ...(alertmanager ? { ALERTMANAGER_URL: alertmanager.url } : {}),
  };
  // Its own runtime, so its metrics hold only what the workload did, whatever other tests ran before.
  // The identity provider the service trusts besides itself: its key fetch is what the breaker guards.
  const identityProvider = await startIdentityProvider();
  const runtime = await variantRuntime({ ...workloadOverrides(identityProvider), ...urls });
  const server = await listen(runtime.app, 0, '127.0.0.1');
  const ruleFiles = ruleFilesToLoad();
  let workload: RunningWorkload | undefined;
  const stopServer = async () => {
    await server.drain(1_000);
    await identityProvider.stop();
    await alertmanager?.stop();
  };
  const prometheus = await startPrometheus({
    binary: prometheusBinary,
    target: new URL(server.url).host,
    job: JOB,
    ruleFiles,
    port: prometheusPort,
    alertmanager: alertmanager ? new URL(alertmanager.url).host : undefined,
  }).catch(async (error: unknown) => {
    await stopServer();
    throw error;
  });
  const stop = async () => {
    // A failed workload is reported by workload.failure() (or by the settle below), not by stopping.
    await workload?.stop().catch(() => undefined);
    await prometheus.stop();
    await stopServer();
  };

  try {
    const context = await prepareWorkload(runtime, server.url, identityProvider);
    await options.beforeRounds?.(runtime, server.url);
    const running = startWorkload(server.url, context, ROUND_STEPS);
    workload = running;
    await pollUntil(`${MIN_SCRAPES} scrapes of the workload`, async () => {
      if (running.failure() !== undefined) return true;
      return running.rounds() > 0 && (await scrapesSoFar(prometheus.url)) >= MIN_SCRAPES;
    });
    if (!options.keepWorkload) await running.stop();

    // One more scrape and one more evaluation of every group, so all of the workload is in the recordings.
    const mark = Date.now() / 1000;
    await pollUntil('a scrape and a rule evaluation after the workload', async () => {
      const scrapedAt = await queryNumber(prometheus.url, `timestamp(up{job="${JOB}"})`);
      const groups = await ruleGroups(prometheus.url);
      return scrapedAt > mark && groups.every((g) => Date.parse(g.lastEvaluation) / 1000 > mark);
    });
    return {
      runtime,
      serviceUrl: server.url,
      prometheusUrl: prometheus.url,
      alertmanagerUrl: alertmanager?.url,
      workload: running,
      settledAt: Date.now() / 1000,
      ruleFiles,
      stop,
    };
  } catch (error) {
    const output = prometheus.output();
    await stop();
    throw output ? new Error(`${String(error)}\nPrometheus said:\n${output}`) : error;
  }
}
