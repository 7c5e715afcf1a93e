import { QueryTypes, type Sequelize } from 'sequelize';
import type { FieldCipher } from '../platform/field-cipher';

/**
 * Field-encryption key rotation: every value stored encrypted (platform/field-cipher.ts) is re-encrypted
 * with the active key, in batches, while the service runs. Each value is swapped in one compare-and-set
 * UPDATE (`WHERE column = <the old envelope>`), so a value is always one readable envelope, and a value the
 * service rewrote meanwhile (already under the active key) is left alone. Nothing records progress but
 * the data itself: a stopped run resumes where it stopped, because values under the active key are skipped.
 */
export interface EncryptedTable {
  readonly table: string;
  /** A unique, ordered key to walk the table in batches. */
  readonly key: string;
  readonly columns: readonly string[];
  /** Append-only evidence (break-glass reasons): counted, never rewritten. */
  readonly appendOnly?: boolean;
}

/** Every column the models store encrypted (the models name them with `encryptedColumn` or the cipher). */
export const ENCRYPTED_TABLES: readonly EncryptedTable[] = [
  { table: 'patients', key: 'user_id', columns: ['allergies', 'conditions', 'medications'] },
  { table: 'consultations', key: 'id', columns: ['reason', 'notes'] },
  { table: 'mfa_factors', key: 'id', columns: ['secret_ciphertext'] },
  { table: 'break_glass_reasons', key: 'id', columns: ['reason'], appendOnly: true },
];

export interface RotationProgress {
  readonly table: string;
  readonly rewritten: number;
  readonly remaining: number;
}

const keyIdOf = (envelope: string) => envelope.split('.')[1] ?? '';
/** Rows with a value of `column` under another key than `activeKeyId`. */
const notUnder = (columns: readonly string[]) =>
  columns.map((column) => `(${column} IS NOT NULL AND split_part(${column}, '.', 2) <> $1)`).join(' OR ');

/** How many values each key id protects, per table: what a retired key still guards. */
export async function valuesPerKey(sequelize: Sequelize): Promise<Record<string, Record<string, number>>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const { table, columns } of ENCRYPTED_TABLES) {
    const rows = await sequelize.query<{ key_id: string; count: number }>(
      columns
        .map(
          (column) =>
            `SELECT split_part(${column}, '.', 2) AS key_id, count(*)::int AS count FROM ${table} WHERE ${column} IS NOT NULL GROUP BY 1`,
        )
        .join(' UNION ALL '),
      { type: QueryTypes.SELECT },
    );
    for (const { key_id, count } of rows) {
      const perKey = (counts[table] ??= {});
      perKey[key_id] = (perKey[key_id] ?? 0) + count;
    }
  }
  return counts;
}

/** Re-encrypts every value of the rewritable tables that is not under `activeKeyId`. */
export async function rotateEncryptedValues(
  sequelize: Sequelize,
  cipher: FieldCipher,
  activeKeyId: string,
  options: { batchSize?: number; onProgress?: (progress: RotationProgress) => void } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  let total = 0;
  for (const { table, key, columns, appendOnly } of ENCRYPTED_TABLES) {
    if (appendOnly) continue;
    let cursor: string | null = null;
    let rewritten = 0;
    for (;;) {
      const rows: Record<string, string | null>[] = await sequelize.query(
        `SELECT ${key}::text AS row_key, ${columns.join(', ')} FROM ${table}
          WHERE (${notUnder(columns)}) ${cursor === null ? '' : `AND ${key}::text > $2`}
          ORDER BY ${key}::text LIMIT ${batchSize}`,
        { bind: cursor === null ? [activeKeyId] : [activeKeyId, cursor], type: QueryTypes.SELECT },
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        for (const column of columns) {
          const old = row[column];
          if (old === null || old === undefined || keyIdOf(old) === activeKeyId) continue;
          const [, affected] = await sequelize.query(
            `UPDATE ${table} SET ${column} = $1 WHERE ${key}::text = $2 AND ${column} = $3`,
            { bind: [cipher.encrypt(cipher.decrypt(old)), row.row_key, old], type: QueryTypes.UPDATE },
          );
          rewritten += affected;
        }
      }
      cursor = rows.at(-1)!.row_key!;
      const [{ remaining } = { remaining: 0 }] = await sequelize.query<{ remaining: number }>(
        `SELECT count(*)::int AS remaining FROM ${table} WHERE ${notUnder(columns)}`,
        { bind: [activeKeyId], type: QueryTypes.SELECT },
      );
      options.onProgress?.({ table, rewritten, remaining });
    }
    total += rewritten;
  }
  return total;
}
