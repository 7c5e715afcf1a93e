import {
  ConnectionAcquireTimeoutError,
  ConnectionError,
  DatabaseError,
  ForeignKeyConstraintError,
  UniqueConstraintError,
  ValidationError,
  type Sequelize,
} from 'sequelize';
import type { DB_ERROR_KINDS, Metrics } from '../observability/metrics';

// Database failures as metrics: a bounded kind, never the statement or its values (they may hold PHI).

/** PostgreSQL's query_canceled: statement_timeout (or a cancel) ended the statement. */
const QUERY_CANCELED = '57014';

type DbErrorKind = (typeof DB_ERROR_KINDS)[number];

function kindOf(error: unknown): DbErrorKind {
  if (error instanceof ConnectionError) return 'connection';
  if (error instanceof UniqueConstraintError || error instanceof ForeignKeyConstraintError)
    return 'constraint';
  if (error instanceof ValidationError) return 'constraint';
  if (error instanceof DatabaseError && (error.parent as { code?: string }).code === QUERY_CANCELED)
    return 'statement_timeout';
  return 'query';
}

type AsyncFunction = (...args: unknown[]) => Promise<unknown>;

/** `fn` with `onError` called on each rejection, which is then passed on unchanged. */
function observingErrors(fn: AsyncFunction, onError: (error: unknown) => void): AsyncFunction {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (error) {
      onError(error);
      throw error;
    }
  };
}

/**
 * Counts every failed `sequelize.query` (models and raw SQL go through it) by kind, and every wait for a
 * pool connection that timed out (queries and transactions both acquire through the connection manager).
 * Sequelize has no hook that sees a query's error (`afterQuery` runs without it), hence the wrappers.
 */
export function countDatabaseErrors(sequelize: Sequelize, metrics: Metrics): void {
  const manager = sequelize.connectionManager as unknown as { getConnection: AsyncFunction };
  manager.getConnection = observingErrors(manager.getConnection.bind(manager), (error) => {
    if (error instanceof ConnectionAcquireTimeoutError) metrics.db.acquireTimeouts.inc();
  });
  const query = sequelize.query.bind(sequelize) as AsyncFunction;
  sequelize.query = observingErrors(query, (error) => {
    // Counted above, where the wait happened.
    if (!(error instanceof ConnectionAcquireTimeoutError)) metrics.db.errors.inc({ kind: kindOf(error) });
  }) as Sequelize['query'];
}
