import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A redis-server of the test's own, on a port of 16380-16399, that a test may stop and start again on the
 * same port to play a Redis outage. The machine's shared Redis (6379) is never touched.
 */
export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: the process keeps its connections but answers nothing until resumed. */
  pause(): void;
  resume(): void;
}

const FIRST_PORT = 16380;
const LAST_PORT = 16399;

const answersPing = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

type ArgsFor = (port: number) => readonly string[];

const serverArgs =
  (extraArgs: readonly string[]): ArgsFor =>
  (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs];

async function spawnOn(port: number, argsFor: ArgsFor): Promise<ChildProcess | undefined> {
  const child = spawn('redis-server', argsFor(port), { stdio: 'ignore' });
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await answersPing(port)) return child;
    if (child.exitCode !== null) return undefined;
    await sleep(100);
  }
  child.kill('SIGKILL');
  return undefined;
}

/** Starts redis-server on the first free port of the range; `extraArgs` go to redis-server as given. */
export const startRedisProcess = (extraArgs: readonly string[] = []): Promise<RedisProcess> =>
  startOnFreePort(serverArgs(extraArgs));

/**
 * A Sentinel watching `primaryPort` as master `name`, alone in its quorum, quick to call it down (1 s):
 * enough to play a failover in a test. Its configuration file (Sentinel rewrites it) lives in `dir`.
 */
export async function startSentinel(dir: string, name: string, primaryPort: number): Promise<RedisProcess> {
  return startOnFreePort((port) => {
    const file = path.join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      file,
      [
        `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 1`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        '',
      ].join('\n'),
    );
    return [file, '--sentinel', '--port', String(port), '--bind', '127.0.0.1'];
  });
}

async function startOnFreePort(argsFor: ArgsFor): Promise<RedisProcess> {
  for (let port = FIRST_PORT; port <= LAST_PORT; port++) {
    if (await answersPing(port)) continue;
    let child = await spawnOn(port, argsFor);
    if (!child) continue;
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      async stop() {
        if (!child) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
        child = undefined;
      },
      async start() {
        if (child) return;
        child = await spawnOn(port, argsFor);
        if (!child) throw new Error(`redis-server did not start again on port ${port}`);
      },
      pause: () => child?.kill('SIGSTOP'),
      resume: () => child?.kill('SIGCONT'),
    };
  }
  throw new Error(`No free port for redis-server in ${FIRST_PORT}-${LAST_PORT}`);
}
