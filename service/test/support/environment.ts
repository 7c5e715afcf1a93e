import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../src/platform/embedded/database';

/**
 * The databases a test run uses: TEST_DATABASE_URL's server when set, else an embedded PostgreSQL in a
 * temporary folder. Every run works in databases it creates and drops, so runs never see each other.
 */
interface TestServer {
  readonly adminUrl: string;
  stop(): Promise<void>;
}

let server: TestServer | undefined;
let starting: Promise<TestServer> | undefined;
const created = new Set<string>();

export const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;

async function startServer(): Promise<TestServer> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) return { adminUrl: url, stop: async () => undefined };
  const { chmod, mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = await mkdtemp(path.join(tmpdir(), 'carewatch-test-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
  await chmod(dir, 0o755);
  const embedded: EmbeddedDatabase = await startEmbeddedDatabase(dir, (line) => console.error(line), {
    database: 'postgres',
    authMethod: 'trust',
  });
  return {
    adminUrl: embedded.url,
    stop: async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  starting ??= startServer();
  server = await starting;
  const client = new Client({ connectionString: server.adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function urlFor(database: string): string {
  if (!server) throw new Error('The test database server has not started');
  const url = new URL(server.adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A new, empty database that is dropped when the run ends (or earlier, by `dropDatabase`). */
export async function createTestDatabase(purpose: string): Promise<string> {
  const name = `carewatch_test_${purpose}_${runId}`.toLowerCase();
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  created.add(name);
  return urlFor(name);
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  created.delete(name);
}

export async function stopTestServer(): Promise<void> {
  if (!server) return;
  for (const name of created)
    await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  created.clear();
  await server.stop();
  server = undefined;
  starting = undefined;
}
