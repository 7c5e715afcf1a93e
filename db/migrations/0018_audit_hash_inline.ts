import { sqlMigration } from '../migration';

/**
 * The canonical fields as the trigger reads them from the new row: exactly CANONICAL_FIELDS_SQL of
 * service/src/audit/canonical.ts (and 0006's list), in that order. Never reorder: every stored hash depends on it.
 */
export const TRIGGER_FIELDS = [
  'NEW.seq::text',
  `to_char(NEW.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  'NEW.actor_user_id::text',
  'NEW.actor_role',
  'NEW.action',
  'NEW.event_type',
  'NEW.resource_type',
  'NEW.resource_ids::text',
  'NEW.patient_ids::text',
  'NEW.outcome',
  'NEW.request_id',
  'NEW.trace_id',
  'NEW.source_ip',
  'NEW.user_agent',
  'NEW.details::text',
];

/**
 * audit_canonical(ARRAY[...]) written out: the same "<byte length>:<text>" per field ("-" for NULL), the
 * same CASE, joined by "|", so the same bytes. audit_canonical is an SQL function that PostgreSQL cannot
 * inline (unnest and an aggregate): every row ran it through the SQL-function executor, and every
 * transaction parsed and planned its body again; the expression costs the trigger half as much
 * (loadtests/audit-trigger-cost.ts).
 */
const CANONICAL_TEXT = TRIGGER_FIELDS.map(
  (field) => `CASE WHEN ${field} IS NULL THEN '-' ELSE octet_length(${field})::text || ':' || ${field} END`,
).join(`\n      || '|' || `);

export default sqlMigration(
  '0018_audit_hash_inline',
  `
  -- audit_canonical stays: auditors' SQL may call it, and it defines the bytes this expression must give.
  CREATE OR REPLACE FUNCTION audit_events_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    -- The transaction takes its id BEFORE its sequence number, so the sealer can tell from the list of
    -- transactions in progress whether any sequence number it has seen handed out may still commit.
    PERFORM pg_current_xact_id();
    NEW.seq := nextval('audit_events_seq');
    -- The hash is assigned here, by the database, never taken from the client; after seq, which it covers.
    NEW.content_hash := encode(sha256(convert_to(
      ${CANONICAL_TEXT}, 'UTF8')), 'hex');
    RETURN NEW;
  END $$;
  `,
  // 0006's function, as it was.
  `
  CREATE OR REPLACE FUNCTION audit_events_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    -- The transaction takes its id BEFORE its sequence number, so the sealer can tell from the list of
    -- transactions in progress whether any sequence number it has seen handed out may still commit.
    PERFORM pg_current_xact_id();
    NEW.seq := nextval('audit_events_seq');
    NEW.content_hash := encode(sha256(convert_to(audit_canonical(ARRAY[
      NEW.seq::text, to_char(NEW.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      NEW.actor_user_id::text, NEW.actor_role, NEW.action, NEW.event_type, NEW.resource_type,
      NEW.resource_ids::text, NEW.patient_ids::text, NEW.outcome, NEW.request_id, NEW.trace_id,
      NEW.source_ip, NEW.user_agent, NEW.details::text]), 'UTF8')), 'hex');
    RETURN NEW;
  END $$;
  `,
);
