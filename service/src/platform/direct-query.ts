import type { Sequelize } from 'sequelize';
import type { Metrics } from '../observability/metrics';
import type { Operation } from './sql-operation';

interface PgConnection {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Runs one statement with bound values and answers its rows (node-postgres's own errors on failure). */
export type DirectQuery = <T>(
  operation: Operation,
  text: string,
  values: readonly unknown[],
  pool?: 'read' | 'write',
) => Promise<T[]>;

/**
 * For the few statements nearly every request runs: straight through node-postgres, on a connection of
 * Sequelize's own pool (same limits, same type parsers, same acquire metric) and with the same query
 * timing metric. Sequelize's per-call work (cloning options, hooks, parsing the SQL text to name the
 * operation for that metric) cost more CPU than the statement itself on the PHI read.
 */
export function createDirectQuery(sequelize: Sequelize, metrics?: Metrics): DirectQuery {
  const manager = sequelize.connectionManager;
  return async <T>(
    operation: Operation,
    text: string,
    values: readonly unknown[],
    pool: 'read' | 'write' = 'write',
  ) => {
    const connection = (await manager.getConnection({ type: pool })) as unknown as PgConnection;
    const started = process.hrtime.bigint();
    try {
      return (await connection.query(text, [...values])).rows as T[];
    } finally {
      metrics?.db.queryDuration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
      manager.releaseConnection(connection);
    }
  };
}
