import DataLoader from 'dataloader';

export interface ReadBatchOptions {
  /** Keys per statement at most. */
  readonly maxBatch: number;
  /** Told the size of every batch read together. */
  readonly onBatch?: (size: number) => void;
}

/** Reads the rows of these keys in one statement; a key without a row is simply absent. */
export type ReadMany<V> = (keys: readonly string[]) => Promise<ReadonlyMap<string, V>>;

/**
 * Reads by key that requests ask for in the same turn of the event loop go to the database together, in
 * one statement, once the turn's ready sockets have been handled (setImmediate). Under load, requests
 * arrive in bursts (every group commit of the audit trail answers a dozen at once, and their callers send
 * the next ones together), and each statement of its own costs a wake-up of a PostgreSQL backend, its
 * parse of the protocol and node-postgres's work per query: on a machine the service shares with the
 * database, more than the row itself. Nothing is cached: every key is read from the database, after it
 * was asked for. A failed statement fails every read of its batch.
 *
 * The statement runs in the context of the batch's first read: when that request is traced, the
 * statement's span is under it; the other requests of the batch have no span for it.
 */
export function readBatch<V>(readMany: ReadMany<V>, options: ReadBatchOptions) {
  const loader = new DataLoader<string, V | undefined>(
    async (keys) => {
      options.onBatch?.(keys.length);
      const found = await readMany(keys);
      return keys.map((key) => found.get(key));
    },
    { cache: false, maxBatchSize: options.maxBatch, batchScheduleFn: (run) => setImmediate(run) },
  );
  return (key: string): Promise<V | undefined> => loader.load(key);
}
