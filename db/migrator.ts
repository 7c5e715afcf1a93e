import { Client } from 'pg';
import type { Sequelize } from 'sequelize';
import { createDatabase } from '../service/src/platform/db';
import { SequelizeStorage, Umzug } from 'umzug';
import type { Migration } from './migration';
import { migrations } from './migrations';

// Any constant works; it only has to be the same in every instance of the service.
const MIGRATION_LOCK_KEY = 7_412_001;

export interface MigrationStatus {
  readonly executed: string[];
  readonly pending: string[];
}

function createUmzug(sequelize: Sequelize) {
  return new Umzug({
    migrations: migrations.map((migration) => ({
      name: migration.name,
      up: migration.up,
      down: migration.down,
    })),
    context: sequelize,
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations', columnName: 'name' }),
    logger: undefined,
  });
}

async function readStatus(umzug: ReturnType<typeof createUmzug>): Promise<MigrationStatus> {
  const executed = await umzug.executed();
  const pending = await umzug.pending();
  return { executed: executed.map((m) => m.name), pending: pending.map((m) => m.name) };
}

const LOCK_POLL_MS = 250;

/**
 * Polls instead of waiting in pg_advisory_lock: a session waiting there is a transaction with a snapshot,
 * and CREATE INDEX CONCURRENTLY in the holder waits for every such transaction to end, so the holder's
 * concurrent index would wait for the waiter, which waits for the holder (it gives up at lock_timeout).
 */
async function acquireMigrationLock(lockClient: Client): Promise<void> {
  for (;;) {
    const { rows } = await lockClient.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS locked',
      [MIGRATION_LOCK_KEY],
    );
    if (rows[0]?.locked) return;
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

/**
 * Runs `work` while holding a session-level advisory lock on its own connection, so that two instances
 * starting together migrate one after the other; the second then finds nothing pending.
 */
async function withMigrationLock<T>(url: string, work: () => Promise<T>): Promise<T> {
  const lockClient = new Client({ connectionString: url, application_name: 'carewatch-migrate' });
  await lockClient.connect();
  try {
    await acquireMigrationLock(lockClient);
    return await work();
  } finally {
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockClient.end();
  }
}

/**
 * `down --to N` leaves the schema at migration N: umzug's `to` is inclusive, so it is given the
 * migration after N. Undefined means there is nothing above N.
 */
function firstToRevertAbove(position: string): string | 0 | undefined {
  const number = migrationNumber(position);
  if (number === 0) return 0;
  return migrations[indexOfMigration(number) + 1]?.name;
}

function migrationNumber(position: string): number {
  const number = Number(position);
  if (!Number.isInteger(number) || number < 0) throw new Error(`Not a migration number: ${position}`);
  return number;
}

function indexOfMigration(number: number): number {
  const index = migrations.findIndex((migration) =>
    migration.name.startsWith(String(number).padStart(4, '0')),
  );
  if (index < 0) throw new Error(`No migration numbered ${number}`);
  return index;
}

export function createMigrator(sequelize: Sequelize, url: string) {
  const umzug = createUmzug(sequelize);
  return {
    /** Without `to`, applies every pending migration; `to: 'N'` stops after migration N (inclusive). */
    async up(to?: string): Promise<string[]> {
      const target = to === undefined ? undefined : migrations[indexOfMigration(migrationNumber(to))]?.name;
      return withMigrationLock(url, async () =>
        (await umzug.up(target === undefined ? undefined : { to: target })).map(
          (migration) => migration.name,
        ),
      );
    },
    /** Without `to`, reverts the last migration; `to: '0'` reverts everything. */
    async down(to?: string): Promise<string[]> {
      const target = to === undefined ? undefined : firstToRevertAbove(to);
      if (to !== undefined && target === undefined) return [];
      return withMigrationLock(url, async () => {
        const reverted = target === undefined ? await umzug.down() : await umzug.down({ to: target });
        return reverted.map((migration) => migration.name);
      });
    },
    async status(): Promise<MigrationStatus> {
      return withMigrationLock(url, () => readStatus(umzug));
    },
    /** The pending migrations with the statements `up` would run, in order; changes nothing. */
    async plan(): Promise<Migration[]> {
      const pending = new Set((await umzug.pending()).map((migration) => migration.name));
      return migrations.filter((migration) => pending.has(migration.name));
    },
    /** Unlocked, for readiness probes: it must not wait behind a running migration. */
    async pending(): Promise<string[]> {
      return (await umzug.pending()).map((migration) => migration.name);
    },
  };
}

export type Migrator = ReturnType<typeof createMigrator>;

/** Applies every pending migration through its own short-lived connection (the owner's); returns their names. */
export async function migrateDatabase(url: string): Promise<string[]> {
  const sequelize = createDatabase({ url, poolMax: 2, statementTimeoutMs: 0 });
  try {
    return await createMigrator(sequelize, url).up();
  } finally {
    await sequelize.close();
  }
}
