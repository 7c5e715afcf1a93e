import type { ClientBase } from 'pg';

/** Row count and content checksum of one table: equal fingerprints mean equal contents, in any row order. */
export interface TableFingerprint {
  readonly rows: number;
  readonly checksum: string;
}

export type DatabaseFingerprint = Record<string, TableFingerprint>;

/** Every table of the public schema that holds rows itself or through its partitions (not the partitions). */
async function tablesOf(client: ClientBase): Promise<string[]> {
  const result = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname`,
  );
  return result.rows.map((row) => row.name);
}

/**
 * The md5 of the sorted md5s of each row's text form: independent of physical order (a restore rewrites
 * it), sensitive to any changed, added or removed row. Reads each table once, in one snapshot when the
 * caller holds a REPEATABLE READ transaction.
 */
export async function fingerprint(client: ClientBase): Promise<DatabaseFingerprint> {
  const result: DatabaseFingerprint = {};
  for (const table of await tablesOf(client)) {
    const { rows } = await client.query<{ rows: string; checksum: string | null }>(
      `SELECT count(*) AS rows, md5(string_agg(h, '' ORDER BY h)) AS checksum
       FROM (SELECT md5(t::text) AS h FROM "${table.replaceAll('"', '""')}" t) hashed`,
    );
    result[table] = { rows: Number(rows[0]?.rows ?? 0), checksum: rows[0]?.checksum ?? 'empty' };
  }
  return result;
}
