import { createHash } from 'node:crypto';

/**
 * The text forms an event's content hash covers, in this order. They are PostgreSQL's own renderings of
 * each column, so the database (the insert trigger of migration 0018, and audit_canonical() of 0006) and this
 * program build the same bytes, and an auditor can rebuild them from a plain SELECT. Never reorder: every
 * stored hash depends on it.
 */
export const CANONICAL_FIELDS_SQL = `ARRAY[
  seq::text, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  actor_user_id::text, actor_role, action, event_type, resource_type, resource_ids::text, patient_ids::text,
  outcome, request_id, trace_id, source_ip, user_agent, details::text]`;

/** The sequence number is the first canonical field. */
export const SEQ_FIELD = 0;

export type CanonicalFields = readonly (string | null)[];

/** "<byte length>:<text>" per field ("-" for NULL), joined by "|": no value can imitate another split. */
export function canonicalText(fields: CanonicalFields): string {
  return fields
    .map((field) => (field === null ? '-' : `${Buffer.byteLength(field, 'utf8')}:${field}`))
    .join('|');
}

export function contentHash(fields: CanonicalFields): string {
  return createHash('sha256').update(canonicalText(fields), 'utf8').digest('hex');
}

/** The previous seal hash of the first block. */
export const GENESIS_SEAL_HASH = '0'.repeat(64);

/** seal hash = sha256(previous seal hash || the block's event hashes in sequence order), over raw bytes. */
export function sealHash(previousSealHash: string, eventHashes: readonly string[]): string {
  const hash = createHash('sha256').update(Buffer.from(previousSealHash, 'hex'));
  for (const eventHash of eventHashes) hash.update(Buffer.from(eventHash, 'hex'));
  return hash.digest('hex');
}
