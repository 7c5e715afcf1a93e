import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { pollUntil } from './poll';

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
}

export interface RunningPrometheus {
  readonly url: string;
  /** What Prometheus printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  await once(probe, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP port was assigned');
  return address.port;
}

function configuration(options: PrometheusOptions): string {
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  return stringify({
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: options.ruleFiles,
    scrape_configs: [
      {
        job_name: options.job,
        static_configs: [{ targets: [options.target, ...(options.moreTargets ?? [])] }],
      },
    ],
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  // A Prometheus that does not stop within 10 s is killed: the test run must not hang on it.
  const deadline = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(deadline);
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'carewatch-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, configuration(options));
  const address = `127.0.0.1:${options.port ?? (await freePort())}`;
  const child = spawn(
    options.binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${address}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let printed = '';
  const collect = (chunk: Buffer) => (printed += chunk.toString('utf8'));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const running: RunningPrometheus = {
    url: `http://${address}`,
    output: () => printed,
    async stop() {
      await stopProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await pollUntil('Prometheus to be ready', async () => {
      if (child.exitCode !== null) throw new Error(`Prometheus exited (${child.exitCode}):\n${printed}`);
      const response = await fetch(`${running.url}/-/ready`).catch(() => undefined);
      return response?.ok === true;
    });
    return running;
  } catch (error) {
    await running.stop();
    throw error;
  }
}
