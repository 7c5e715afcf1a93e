import { QueryTypes, type Sequelize } from 'sequelize';
import { CANONICAL_FIELDS_SQL, type CanonicalFields } from './canonical';

const BATCH = 2000;
// Seals carry up to a block's hashes each, so fewer of them per batch.
const SEAL_BATCH = 200;

export interface StoredEvent {
  readonly seq: string;
  readonly fields: CanonicalFields;
  readonly contentHash: string;
  readonly cursorAt: string;
}

export interface StoredSeal {
  readonly blockNumber: string;
  readonly firstSeq: string;
  readonly lastSeq: string;
  readonly partitionName: string;
  readonly eventSeqs: string[];
  readonly eventHashes: string[];
  readonly previousSealHash: string;
  readonly sealHash: string;
  readonly sealedAt: string;
}

/** Every event in (seq, occurred_at) order, in keyset batches, so a long trail never sits in memory. */
export async function* storedEvents(sequelize: Sequelize): AsyncGenerator<StoredEvent> {
  let after: [string, string] = ['-1', '-infinity'];
  for (;;) {
    const rows = await sequelize.query<{
      seq: string;
      fields: (string | null)[];
      content_hash: string;
      cursor_at: string;
    }>(
      `SELECT seq::text, ${CANONICAL_FIELDS_SQL} AS fields, content_hash, occurred_at::text AS cursor_at
       FROM audit_events WHERE (seq, occurred_at) > ($1::bigint, $2::timestamptz) ORDER BY audit_events.seq, occurred_at LIMIT ${BATCH}`,
      { bind: after, type: QueryTypes.SELECT },
    );
    for (const row of rows)
      yield { seq: row.seq, fields: row.fields, contentHash: row.content_hash, cursorAt: row.cursor_at };
    if (rows.length < BATCH) return;
    const last = rows.at(-1)!;
    after = [last.seq, last.cursor_at];
  }
}

/** Every seal in block order, in batches. */
export async function* storedSeals(sequelize: Sequelize): AsyncGenerator<StoredSeal> {
  let after = '0';
  for (;;) {
    const rows = await sequelize.query<StoredSeal>(
      `SELECT block_number::text AS "blockNumber", first_seq::text AS "firstSeq", last_seq::text AS "lastSeq",
              partition_name AS "partitionName", event_seqs::text[] AS "eventSeqs", event_hashes AS "eventHashes",
              previous_seal_hash AS "previousSealHash", seal_hash AS "sealHash",
              to_char(sealed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "sealedAt"
       FROM audit_seals WHERE block_number > $1 ORDER BY block_number LIMIT ${SEAL_BATCH}`,
      { bind: [after], type: QueryTypes.SELECT },
    );
    yield* rows;
    if (rows.length < SEAL_BATCH) return;
    after = rows.at(-1)!.blockNumber;
  }
}
