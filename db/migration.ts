import type { ClientBase } from 'pg';
import type { Sequelize } from 'sequelize';

/**
 * How long a migration may wait for a lock, and run one statement. A migration that waits for a lock queues
 * every later request on that table behind it, so it gives up quickly (and is retried) instead of stalling
 * traffic; see db/migrations/README.md.
 */
export interface MigrationTimeouts {
  readonly lockTimeout: string;
  readonly statementTimeout: string;
}

export const DEFAULT_TIMEOUTS: MigrationTimeouts = { lockTimeout: '500ms', statementTimeout: '1min' };

/** Attempts when a lock is not granted within lock_timeout (55P03): the blocker is usually a short transaction. */
const LOCK_ATTEMPTS = 5;
const LOCK_RETRY_DELAY_MS = 1_000;

export interface Migration {
  readonly name: string;
  /** True when each direction runs in one transaction; false for statements PostgreSQL runs outside one. */
  readonly transactional: boolean;
  readonly timeouts: MigrationTimeouts;
  /** The statements each direction runs, in order, exactly as sent (for `db:migrate -- plan` and the rules). */
  readonly statements: { readonly up: readonly string[]; readonly down: readonly string[] };
  /**
   * The contract step of an expand/contract change: the `table.column`s this migration drops or renames,
   * which the running release must no longer read (db/migrations/README.md). Empty for expand steps.
   */
  readonly contract: readonly string[];
  up(this: void, params: { context: Sequelize }): Promise<void>;
  down(this: void, params: { context: Sequelize }): Promise<void>;
}

export interface MigrationOptions {
  readonly timeouts?: Partial<MigrationTimeouts>;
  readonly contract?: readonly string[];
}

const quoted = (value: string) => `'${value.replaceAll("'", "''")}'`;

function timeoutStatements(timeouts: MigrationTimeouts, scope: 'LOCAL' | 'SESSION'): string[] {
  return [
    `SET ${scope} lock_timeout = ${quoted(timeouts.lockTimeout)}`,
    `SET ${scope} statement_timeout = ${quoted(timeouts.statementTimeout)}`,
  ];
}

const isLockTimeout = (error: unknown) =>
  (error as { parent?: { code?: string }; code?: string }).parent?.code === '55P03' ||
  (error as { code?: string }).code === '55P03';

async function retryingLockTimeouts(work: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isLockTimeout(error) || attempt >= LOCK_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_DELAY_MS * attempt));
    }
  }
}

/** One connection of the pool for statements that must share a session and run outside a transaction. */
async function withConnection(
  sequelize: Sequelize,
  work: (client: ClientBase) => Promise<void>,
): Promise<void> {
  const manager = sequelize.connectionManager as unknown as {
    getConnection(options: { type: 'write' }): Promise<ClientBase>;
    releaseConnection(connection: ClientBase): Promise<void>;
  };
  const client = await manager.getConnection({ type: 'write' });
  try {
    await work(client);
  } finally {
    // Back to the values the connection started with, before another caller gets it from the pool.
    await client.query('RESET lock_timeout; RESET statement_timeout').catch(() => undefined);
    await manager.releaseConnection(client);
  }
}

function withTimeouts(options: MigrationOptions): MigrationTimeouts {
  return { ...DEFAULT_TIMEOUTS, ...options.timeouts };
}

/**
 * A migration written as plain SQL, each direction in one transaction: PostgreSQL DDL is transactional,
 * so a failing migration leaves the schema exactly as it was. The timeouts are SET LOCAL, first.
 */
export function sqlMigration(
  name: string,
  up: string,
  down: string,
  options: MigrationOptions = {},
): Migration {
  const timeouts = withTimeouts(options);
  const statementsOf = (sql: string) => [...timeoutStatements(timeouts, 'LOCAL'), sql];
  const run =
    (sql: string) =>
    ({ context }: { context: Sequelize }) =>
      retryingLockTimeouts(() =>
        context.transaction(async (transaction) => {
          for (const statement of statementsOf(sql)) await context.query(statement, { transaction });
        }),
      );
  return {
    name,
    transactional: true,
    timeouts,
    contract: options.contract ?? [],
    statements: { up: statementsOf(up), down: statementsOf(down) },
    up: run(up),
    down: run(down),
  };
}

export interface ConcurrentIndex {
  readonly name: string;
  /** `table (columns)` with any `USING`, as in CREATE INDEX … ON <on>. */
  readonly on: string;
  readonly unique?: boolean;
  readonly where?: string;
}

/**
 * Indexes built with CREATE INDEX CONCURRENTLY, which takes no lock that blocks reads or writes but cannot
 * run in a transaction. An interrupted build leaves an INVALID index behind, so each is dropped first when
 * it exists but is not valid (a plain DROP INDEX, since a DO block is a transaction: its brief exclusive
 * lock is bounded by lock_timeout); every statement is idempotent, so a failed run can simply run again.
 */
export function concurrentIndexMigration(
  name: string,
  indexes: readonly ConcurrentIndex[],
  options: MigrationOptions = {},
): Migration {
  const timeouts = withTimeouts(options);
  const session = timeoutStatements(timeouts, 'SESSION');
  const dropInvalid = (index: ConcurrentIndex) =>
    `DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_index WHERE indexrelid = to_regclass(${quoted(index.name)}) AND NOT indisvalid) THEN
    RAISE NOTICE 'dropping invalid index %', ${quoted(index.name)};
    EXECUTE 'DROP INDEX ${index.name}';
  END IF;
END $$`;
  const create = (index: ConcurrentIndex) =>
    `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY IF NOT EXISTS ${index.name} ON ${index.on}` +
    (index.where ? ` WHERE ${index.where}` : '');
  const up = [...session, ...indexes.flatMap((index) => [dropInvalid(index), create(index)])];
  const down = [...session, ...indexes.map((index) => `DROP INDEX CONCURRENTLY IF EXISTS ${index.name}`)];
  const run =
    (statements: readonly string[]) =>
    ({ context }: { context: Sequelize }) =>
      retryingLockTimeouts(() =>
        withConnection(context, async (client) => {
          for (const statement of statements) await client.query(statement);
        }),
      );
  return {
    name,
    transactional: false,
    timeouts,
    contract: [],
    statements: { up, down },
    up: run(up),
    down: run(down),
  };
}
