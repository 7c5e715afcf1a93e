import type { Pool, PoolClient } from 'pg';
import type { TableSpec } from './tables';

/**
 * Inserts many rows with one statement: one array parameter per column, unnested by PostgreSQL into rows.
 * The statement has as many parameters as the table has columns, whatever the number of rows, so it
 * stays far below the protocol's 65,535-parameter limit and PostgreSQL plans it once.
 */
export async function insertRows<Row extends object>(
  client: PoolClient,
  spec: TableSpec<Row>,
  rows: readonly Row[],
) {
  if (rows.length === 0) return;
  const columns = Object.keys(spec.columns) as (keyof Row & string)[];
  const arrays = columns.map((column) => rows.map((row) => row[column]));
  const unnested = columns.map((column, index) => `$${index + 1}::${spec.columns[column]}[]`).join(', ');
  await client.query(
    `INSERT INTO ${spec.table} (${columns.join(', ')}) SELECT * FROM unnest(${unnested})`,
    arrays,
  );
}

/** One batch: rows for one or more tables, written in order (parents first) in one transaction. */
export type Batch = (client: PoolClient) => Promise<void>;

async function inTransaction(pool: Pool, batch: Batch): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await batch(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Writes the batches, each in its own transaction, `concurrency` at a time: while PostgreSQL works on one
 * batch the client already sends the next. Stops at the first failure; batches already committed stay.
 */
export async function writeBatches(
  pool: Pool,
  batches: readonly Batch[],
  concurrency: number,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < batches.length) {
      const batch = batches[next++]!;
      await inTransaction(pool, batch).catch((error: unknown) => {
        failed = true;
        throw error;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
