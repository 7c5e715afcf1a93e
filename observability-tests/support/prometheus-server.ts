import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startDaemon, type RunningDaemon } from './daemon';

// A real Prometheus for tests: its own temporary storage, one scrape job at the service, our rule files,
// everything at a 1 s cadence so a test needs seconds of history rather than minutes.

export interface PrometheusOptions {
  readonly binary: string;
  /** host:port of the service's /metrics. */
  readonly target: string;
  /** More instances of the same job (a load test's topology). */
  readonly moreTargets?: readonly string[];
  readonly job: string;
  /** Absolute paths of the rule files to load. */
  readonly ruleFiles: readonly string[];
  /** 1 s unless said: tests need seconds of history; a long load test scrapes less often. */
  readonly scrapeIntervalSeconds?: number;
  /** A free port unless said. */
  readonly port?: number;
  /** host:port of an Alertmanager to send firing alerts to. */
  readonly alertmanager?: string;
}

export type RunningPrometheus = RunningDaemon;

function configuration(options: PrometheusOptions): string {
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  return stringify({
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: options.ruleFiles,
    ...(options.alertmanager === undefined
      ? {}
      : { alerting: { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] } }),
    scrape_configs: [
      {
        job_name: options.job,
        static_configs: [{ targets: [options.target, ...(options.moreTargets ?? [])] }],
      },
    ],
  });
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  return startDaemon({
    name: 'Prometheus',
    binary: options.binary,
    port: options.port,
    async prepare(dir, address) {
      const configFile = join(dir, 'prometheus.yml');
      await writeFile(configFile, configuration(options));
      return [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=${address}`,
        '--log.level=warn',
      ];
    },
  });
}
