import { createHash } from 'node:crypto';
import retryAsPromised from 'retry-as-promised';
import {
  ConnectionAcquireTimeoutError,
  ConnectionError,
  ConnectionRefusedError,
  type Sequelize,
} from 'sequelize';
import { isConnectionLoss } from './connection-loss';
import { RETRY_REFUSED_CONNECTIONS } from './db';
import type { Metrics } from '../observability/metrics';
import type { Operation } from './sql-operation';

/** One row as node-postgres parsed it: its values in the order of the select list. */
export type Cells = readonly unknown[];

interface PgQuery {
  readonly name: string | undefined;
  readonly text: string;
  readonly values: readonly unknown[];
  readonly rowMode: 'array';
}

interface PgConnection {
  query(query: PgQuery): Promise<{ rows: Cells[] }>;
}

/** Sequelize's pool as its connection manager holds it: sequelize-pool's, or a read/write pair of them. */
interface ConnectionPool {
  acquire(type: 'read' | 'write', useMaster: boolean): Promise<PgConnection>;
  release(connection: PgConnection): void;
}

/** sequelize-pool's TimeoutError: no free connection within the acquire timeout. */
const isAcquireTimeout = (error: unknown) => error instanceof Error && error.name === 'TimeoutError';

/**
 * Runs one statement with bound values and answers its rows as arrays of values in select-list order
 * (node-postgres's own errors on failure). The caller names the values: node-postgres builds each row
 * object by copying a template keyed by column name, which cost more than the caller's object literal.
 */
export type DirectQuery = (
  operation: Operation,
  text: string,
  values: readonly unknown[],
  pool?: 'read' | 'write',
) => Promise<Cells[]>;

export interface DirectQueryOptions {
  /**
   * Named prepared statements: each connection parses and plans a statement once, then only binds and
   * executes it (PostgreSQL's CPU for the PHI read's SELECT: 97 µs unnamed, 40 µs named; for a one-row
   * audit insert: 460 µs, 345 µs). Only on a
   * connection of its own: behind PgBouncer in transaction mode (1.18) the next statement may run on
   * another server connection, where the name is unknown.
   */
  readonly prepared: boolean;
}

/** Named statements unless the connection is PgBouncer's in transaction mode. */
export const directQueryOptions = (pooler: 'none' | 'pgbouncer'): DirectQueryOptions => ({
  prepared: pooler !== 'pgbouncer',
});

/** A name per statement text, the same in every process: `cw_` and 20 hex digits of its SHA-1. */
const statementName = (text: string) => `cw_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;

/**
 * For the few statements nearly every request runs: straight through node-postgres, on a connection of
 * Sequelize's own pool (same limits, same type parsers, same acquire metric) and with the same query
 * timing metric. Sequelize's per-call work (cloning options, hooks, parsing the SQL text to name the
 * operation for that metric) cost more CPU than the statement itself on the PHI read.
 */
export function createDirectQuery(
  sequelize: Sequelize,
  metrics: Metrics | undefined,
  { prepared }: DirectQueryOptions,
): DirectQuery {
  const pool = (sequelize.connectionManager as unknown as { pool: ConnectionPool }).pool;
  /**
   * A connection straight from the pool, timed and counted as Sequelize's getConnection would (db.ts's
   * hooks, db-errors.ts's timeout count), a refused one tried again as db.ts's queries are:
   * getConnection runs its hooks and wrappers through about a dozen promises per acquisition, each one
   * costly while async hooks are on (tracing's context).
   */
  const acquire = async (type: 'read' | 'write') => {
    const started = process.hrtime.bigint();
    try {
      let connection: PgConnection;
      try {
        connection = await pool.acquire(type, false);
      } catch (refused) {
        // Tried again only once refused: the hot paths' acquisitions pay nothing for the retry.
        if (!(refused instanceof ConnectionRefusedError)) throw refused;
        connection = await retryAsPromised(() => pool.acquire(type, false), RETRY_REFUSED_CONNECTIONS);
      }
      metrics?.db.acquireDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
      return connection;
    } catch (error) {
      if (!isAcquireTimeout(error)) throw error;
      metrics?.db.acquireTimeouts.inc();
      throw new ConnectionAcquireTimeoutError(error as Error);
    }
  };
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (name === undefined) names.set(text, (name = statementName(text)));
    return name;
  };
  return async (operation, text, values, type = 'write') => {
    const connection = await acquire(type);
    const started = process.hrtime.bigint();
    try {
      // node-postgres copies the query config and never changes the values: no copy of ours.
      const query: PgQuery = { name: prepared ? nameOf(text) : undefined, text, values, rowMode: 'array' };
      return (await connection.query(query)).rows;
    } catch (error) {
      // Told apart here, where the error is known to be the database's: node-postgres reports a lost
      // connection as a plain error (a socket code, a message), as Sequelize's own queries would not.
      throw isConnectionLoss(error) ? new ConnectionError(error as Error) : error;
    } finally {
      metrics?.db.queryDuration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
      pool.release(connection);
    }
  };
}
