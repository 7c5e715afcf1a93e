import { parse as parseConnectionString } from 'pg-connection-string';
import { ConnectionAcquireTimeoutError, ConnectionRefusedError, Sequelize, type Options } from 'sequelize';
import type { Metrics } from '../observability/metrics';
import { countDatabaseErrors } from './db-errors';
import { IDLE_CONNECTION_MS } from './idle-connection';
import { operationOf } from './sql-operation';

export interface DatabaseOptions {
  readonly url: string;
  readonly poolMax: number;
  readonly statementTimeoutMs: number;
  /** A request waiting longer than this for a connection fails fast (503), instead of queueing on. */
  readonly acquireTimeoutMs?: number;
  readonly applicationName?: string;
  /** How long a connection no statement used stays open; IDLE_CONNECTION_MS when absent. */
  readonly idleMs?: number;
  /**
   * Behind a transaction-mode PgBouncer the timeouts cannot be startup parameters (1.18 refuses them):
   * they are then the role's settings (ALTER ROLE ... SET statement_timeout), see README.
   */
  readonly pooler?: 'none' | 'pgbouncer';
}

/**
 * A refused connection never carried the statement, so trying again is safe for writes too: a query
 * outside a transaction rides out a pooler or server restart of a second or so (0.1 + 0.2 + 0.4 + 0.8 s).
 * Only a refusal: a full pool (acquire timeout) must stay a fast 503. Sequelize's queries retry with it,
 * and the direct statements' connections too (direct-query.ts, with retry-as-promised as Sequelize).
 */
export const RETRY_REFUSED_CONNECTIONS = {
  match: [ConnectionRefusedError],
  max: 5,
  backoffBase: 100,
  backoffExponent: 2,
};

/** Query timing by operation and pool acquisition time, without logging a statement or its values. */
function instrument(sequelize: Sequelize, metrics: Metrics): void {
  const acquireStarted = new WeakMap<object, bigint>();
  sequelize.addHook('beforePoolAcquire', (options: object) => {
    acquireStarted.set(options ?? {}, process.hrtime.bigint());
  });
  sequelize.addHook('afterPoolAcquire', (_connection: unknown, options: object) => {
    const started = options ? acquireStarted.get(options) : undefined;
    if (started !== undefined)
      metrics.db.acquireDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
  });
  const pool = (
    sequelize.connectionManager as unknown as { pool: { using: number; available: number; waiting: number } }
  ).pool;
  metrics.samplers.add(() => {
    metrics.db.poolConnections.set({ state: 'in_use' }, pool.using);
    metrics.db.poolConnections.set({ state: 'idle' }, pool.available);
    metrics.db.poolWaiting.set(pool.waiting);
  });
}

export function createDatabase(options: DatabaseOptions, metrics?: Metrics): Sequelize {
  const sequelizeOptions: Options = {
    dialect: 'postgres',
    // Timings only: the statement itself may hold bound PHI values in some error paths.
    logging: metrics
      ? (sql: string, timingMs?: number) => {
          if (timingMs !== undefined)
            metrics.db.queryDuration.observe({ operation: operationOf(sql) }, timingMs / 1000);
        }
      : false,
    benchmark: Boolean(metrics),
    pool: {
      max: options.poolMax,
      min: 0,
      idle: options.idleMs ?? IDLE_CONNECTION_MS,
      acquire: options.acquireTimeoutMs ?? 10_000,
      evict: 5_000,
    },
    dialectOptions: {
      ...tlsOf(options.url),
      ...(options.pooler === 'pgbouncer'
        ? {}
        : {
            statement_timeout: options.statementTimeoutMs,
            idle_in_transaction_session_timeout: options.statementTimeoutMs * 3,
          }),
      application_name: options.applicationName ?? 'carewatch',
    },
    define: { underscored: true, timestamps: true },
    retry: RETRY_REFUSED_CONNECTIONS,
  };
  const sequelize = new Sequelize(options.url, sequelizeOptions);
  if (metrics) {
    metrics.db.poolMax.set(options.poolMax);
    instrument(sequelize, metrics);
    countDatabaseErrors(sequelize, metrics);
  }
  return sequelize;
}

/**
 * Sequelize passes only some of the URL's parameters to pg and drops `sslmode`: pg's own parser turns
 * sslmode=verify-full (and sslrootcert, sslcert, sslkey) into the TLS options, so the URL means what it says.
 */
function tlsOf(url: string): { ssl?: unknown } {
  const { ssl } = parseConnectionString(url);
  return ssl === undefined ? {} : { ssl };
}

/**
 * `busy` when every connection of the pool is in use past the acquire timeout: the database is answering
 * this instance's other queries, and under a burst every instance is busy at once, so a busy pool must not
 * take an instance out of rotation (requests that cannot wait get their own fast 503 `database_busy`).
 */
export async function databaseReachability(
  sequelize: Sequelize,
): Promise<'reachable' | 'busy' | 'unreachable'> {
  try {
    await sequelize.query('SELECT 1');
    return 'reachable';
  } catch (error) {
    return error instanceof ConnectionAcquireTimeoutError ? 'busy' : 'unreachable';
  }
}
