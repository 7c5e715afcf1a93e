import { createHash } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import type { Metrics } from '../observability/metrics';
import type { Operation } from './sql-operation';

interface PgConnection {
  query(query: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** Runs one statement with bound values and answers its rows (node-postgres's own errors on failure). */
export type DirectQuery = <T>(
  operation: Operation,
  text: string,
  values: readonly unknown[],
  pool?: 'read' | 'write',
) => Promise<T[]>;

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
  const manager = sequelize.connectionManager;
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (name === undefined) names.set(text, (name = statementName(text)));
    return name;
  };
  return async <T>(
    operation: Operation,
    text: string,
    values: readonly unknown[],
    pool: 'read' | 'write' = 'write',
  ) => {
    const connection = (await manager.getConnection({ type: pool })) as unknown as PgConnection;
    const started = process.hrtime.bigint();
    try {
      const query = { text, values: [...values], ...(prepared ? { name: nameOf(text) } : {}) };
      return (await connection.query(query)).rows as T[];
    } finally {
      metrics?.db.queryDuration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
      manager.releaseConnection(connection);
    }
  };
}
