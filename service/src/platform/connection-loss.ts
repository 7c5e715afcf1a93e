import { ConnectionError } from 'sequelize';

/**
 * node-postgres reports a connection that died under a query by message only (no code): the server was
 * killed or stopped in immediate mode, so no 57P01 reached the client.
 */
const LOST_CONNECTION = /^Connection terminated|is not queryable$/;
const SOCKET_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/**
 * The server or the connection to it is gone (not a problem with the query itself). Sequelize wraps the
 * driver's error in `original`; a direct query (platform/direct-query) throws the driver's own.
 */
export function isConnectionLoss(error: unknown): boolean {
  if (error instanceof ConnectionError) return true;
  type DriverError = { original?: DriverError; code?: unknown; message?: unknown } | undefined;
  const original = (error as DriverError)?.original ?? (error as DriverError);
  const code = original?.code;
  // 57P01-57P03: the server is shutting down or starting; 08xxx: connection exceptions.
  if (typeof code === 'string')
    return code.startsWith('57P0') || code.startsWith('08') || SOCKET_ERRORS.has(code);
  return typeof original?.message === 'string' && LOST_CONNECTION.test(original.message);
}
