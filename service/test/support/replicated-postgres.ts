import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { giveToPostgres, runAsPostgres } from './as-postgres';

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

const pg = (tool: string, args: readonly string[]) => runAsPostgres(path.join(BIN, tool), args);

export const portInUse = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

export async function freePorts(count: number, first = FIRST_PORT, last = LAST_PORT): Promise<number[]> {
  const ports: number[] = [];
  for (let port = first; port <= last && ports.length < count; port++)
    if (!(await portInUse(port))) ports.push(port);
  if (ports.length < count) throw new Error(`No ${count} free ports in ${first}-${last}`);
  return ports;
}

export async function startReplicatedPostgres(): Promise<ReplicatedPostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'carewatch-replication-'));
  await giveToPostgres(dir);
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
    '-c',
    'fast',
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
