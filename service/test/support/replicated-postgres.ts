import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
const FIRST_PORT = 15432;
const LAST_PORT = 15439;

/**
 * A PostgreSQL primary and a streaming replica made the way operators make them (initdb, then
 * pg_basebackup -R), on ports of 15432-15439. As root the servers run as the `postgres` user.
 */
export interface ReplicatedPostgres {
  readonly primaryUrl: (database: string) => string;
  readonly replicaUrl: (database: string) => string;
  stopReplica(): Promise<void>;
  startReplica(): Promise<void>;
  stop(): Promise<void>;
}

const asRoot = userInfo().uid === 0;
const pg = (tool: string, args: readonly string[]) =>
  asRoot
    ? run('runuser', ['-u', 'postgres', '--', path.join(BIN, tool), ...args])
    : run(path.join(BIN, tool), [...args]);

const portInUse = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let port = FIRST_PORT; port <= LAST_PORT && ports.length < count; port++)
    if (!(await portInUse(port))) ports.push(port);
  if (ports.length < count) throw new Error(`No ${count} free ports in ${FIRST_PORT}-${LAST_PORT}`);
  return ports;
}

export async function startReplicatedPostgres(): Promise<ReplicatedPostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'carewatch-replication-'));
  if (asRoot) await chown(dir, Number((await run('id', ['-u', 'postgres'])).stdout), 0);
  const [primaryPort = 0, replicaPort = 0] = await freePorts(2);
  const primaryDir = path.join(dir, 'primary');
  const replicaDir = path.join(dir, 'replica');
  const start = (dataDir: string, port: number) =>
    pg('pg_ctl', [
      '-D',
      dataDir,
      '-l',
      `${dataDir}.log`,
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  const stop = (dataDir: string) =>
    pg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);

  await pg('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  await start(primaryDir, primaryPort);
  await pg('pg_basebackup', [
    '-h',
    '127.0.0.1',
    '-p',
    String(primaryPort),
    '-U',
    'postgres',
    '-D',
    replicaDir,
    '-R',
    '-X',
    'stream',
  ]);
  await start(replicaDir, replicaPort);

  const url = (port: number) => (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    primaryUrl: url(primaryPort),
    replicaUrl: url(replicaPort),
    stopReplica: async () => void (await stop(replicaDir)),
    startReplica: async () => void (await start(replicaDir, replicaPort)),
    async stop() {
      await Promise.all([stop(replicaDir), stop(primaryDir)]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
