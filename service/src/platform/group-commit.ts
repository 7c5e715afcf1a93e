import { isConnectionLoss } from './connection-loss';

/**
 * Group commit in the application: calls that arrive while earlier statements of theirs are running go
 * together in the next one, and each caller is answered only once the statement that holds its item is
 * done. A durable commit waits for the disk; sharing it among concurrent requests is what keeps
 * fail-closed auditing affordable (see loadtests/audit-overhead.ts). Reads share statements the same way
 * (the PHI read's record lookups): under load each statement of its own costs a wake-up of a PostgreSQL
 * backend and node-postgres's work per query, on a machine the service may share with the database.
 * Nothing waits for a batch to fill: a call with a statement slot free goes at once.
 */
export interface GroupCommitOptions {
  /** Items per statement at most. */
  readonly maxBatch: number;
  /** Statements running at the same time at most (each holds a database connection). */
  readonly maxInFlight: number;
  /** Told the size of every batch written together (retries of a failed batch item by item included). */
  readonly onBatch?: (size: number) => void;
}

interface Waiting<T, R> {
  readonly item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export function groupCommit<T, R>(
  writeMany: (items: readonly T[]) => Promise<R[]>,
  options: GroupCommitOptions,
) {
  const queue: Waiting<T, R>[] = [];
  let inFlight = 0;

  /**
   * Writes a batch and answers how to settle its callers. A failed batch is written again item by item, so
   * that one bad item fails only its own caller; not when the connection was lost, which no item caused:
   * a statement per item would only press a database that is restarting.
   */
  async function write(batch: readonly Waiting<T, R>[]): Promise<(() => void)[]> {
    try {
      options.onBatch?.(batch.length);
      const results = await writeMany(batch.map((waiting) => waiting.item));
      return batch.map((waiting, index) => () => waiting.resolve(results[index]!));
    } catch (error) {
      if (batch.length === 1 || isConnectionLoss(error))
        return batch.map((waiting) => () => waiting.reject(error));
      const settlements: (() => void)[] = [];
      for (const waiting of batch) settlements.push(...(await write([waiting])));
      return settlements;
    }
  }

  function drain(): void {
    while (queue.length > 0 && inFlight < options.maxInFlight) {
      inFlight += 1;
      void write(queue.splice(0, options.maxBatch)).then((settlements) => {
        inFlight -= 1;
        // The next batch leaves before these callers are answered: answering a dozen of them (each one's
        // response, log line and metrics) takes longer than the commit itself, which would wait for it.
        drain();
        for (const settle of settlements) settle();
      });
    }
  }

  return (item: T): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      drain();
    });
}
