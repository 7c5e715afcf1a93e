import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../service/src/platform/embedded/database';
import { pollUntil } from './poll';

// A Prometheus-family server (Prometheus, Alertmanager) run for a test: its own temporary directory, a
// free loopback port, ready once its /-/ready answers, stopped and cleaned up at the end.

export interface RunningDaemon {
  readonly url: string;
  /** What the process printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface DaemonOptions {
  /** For messages: `Prometheus`, `Alertmanager`. */
  readonly name: string;
  readonly binary: string;
  /** A free port unless said. */
  readonly port?: number;
  /** Writes its configuration into `dir` and answers the command line for `address` (host:port). */
  prepare(dir: string, address: string): Promise<string[]>;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  // A server that does not stop within 10 s is killed: the test run must not hang on it.
  const deadline = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(deadline);
}

export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const dir = await mkdtemp(join(tmpdir(), `carewatch-${options.name.toLowerCase()}-`));
  const address = `127.0.0.1:${options.port ?? (await freePort())}`;
  const child = spawn(options.binary, await options.prepare(dir, address), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  const collect = (chunk: Buffer) => (printed += chunk.toString('utf8'));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const running: RunningDaemon = {
    url: `http://${address}`,
    output: () => printed,
    async stop() {
      await stopProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await pollUntil(`${options.name} to be ready`, async () => {
      if (child.exitCode !== null) throw new Error(`${options.name} exited (${child.exitCode}):\n${printed}`);
      const response = await fetch(`${running.url}/-/ready`).catch(() => undefined);
      return response?.ok === true;
    });
    return running;
  } catch (error) {
    await running.stop();
    throw error;
  }
}
