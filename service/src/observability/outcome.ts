import type { Counter } from 'prom-client';
import { AppError } from '../platform/errors';

/**
 * Counts an operation by its result: `ok`, the AppError code it was refused with (a small fixed set), or
 * `error` for anything unexpected. Labels stay bounded: never an id, never a message.
 */
export async function countOutcome<T>(
  counter: Counter<'operation' | 'result'>,
  operation: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    const result = await work();
    counter.inc({ operation, result: 'ok' });
    return result;
  } catch (error) {
    counter.inc({ operation, result: error instanceof AppError ? error.code : 'error' });
    throw error;
  }
}
