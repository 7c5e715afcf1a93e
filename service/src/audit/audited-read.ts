import type { Metrics } from '../observability/metrics';
import type { Cells, DirectQuery } from '../platform/direct-query';
import { groupCommit } from '../platform/group-commit';
import type { ReadAudit } from './read-audit';
import { bindValues, checkShape, countRecorded, EVENT_COLUMNS, type AuditEventInput } from './recorder';

export interface AuditedReadOptions {
  /**
   * The records of the keys in `$1` (a `uuid[]`), one row per key at most, the key first in its select
   * list, e.g. `SELECT user_id, ... FROM patients WHERE user_id = ANY($1::uuid[])`.
   */
  readonly select: string;
  readonly query: DirectQuery;
  readonly metrics: Metrics;
  /** Reads in one statement at most. */
  readonly maxBatch: number;
}

interface Wanted {
  readonly key: string;
  /** The event as JSON, for jsonb_populate_record. */
  readonly record: string;
}

/** An event as jsonb_populate_record takes it: a row of audit_events by column name. */
function asRecord(event: AuditEventInput): string {
  const values = bindValues(event);
  const record: Record<string, unknown> = {};
  EVENT_COLUMNS.forEach((column, i) => (record[column] = values[i]));
  return JSON.stringify(record);
}

/**
 * One statement reads the records and appends the audit event of each read that found its record.
 * Autocommit makes both one transaction, so a record is answered only from a statement whose events are
 * durable, and a failure of either fails both. A read that finds nothing answers no PHI: its refusal is
 * recorded by the route, as any other. The events come as one JSON array in the order of the keys (`$2`):
 * an array of texts would be escaped character by character by node-postgres.
 */
const statementOf = (select: string) => `WITH found AS (${select}),
  wanted AS (
    SELECT key, record FROM unnest($1::uuid[]) WITH ORDINALITY AS k (key, n)
    JOIN jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e (record, n) USING (n)
  ),
  audited AS (
    INSERT INTO audit_events (${EVENT_COLUMNS.join(', ')})
    SELECT ${EVENT_COLUMNS.map((column) => `event.${column}`).join(', ')}
    FROM wanted JOIN found AS f (found_key) ON f.found_key = wanted.key
    CROSS JOIN LATERAL jsonb_populate_record(NULL::audit_events, wanted.record) AS event
  )
SELECT * FROM found`;

/**
 * Reads one record by key with its audit event in the same statement, shared with the reads of other
 * requests made meanwhile (platform/group-commit), one statement at a time. Against a read and then the
 * route's own event, it saves a round trip to the database and a commit's wait per request, which under
 * load was most of the PHI read's time (loadtests/reports/hot-paths.md). The key must be a UUID in lower
 * case (the form PostgreSQL answers).
 */
export function createAuditedRead({ select, query, metrics, maxBatch }: AuditedReadOptions) {
  const statement = statementOf(select);
  const readMany = groupCommit(
    async (wanted: readonly Wanted[]) => {
      const rows = await query('insert', statement, [
        wanted.map(({ key }) => key),
        `[${wanted.map(({ record }) => record).join(',')}]`,
      ]);
      const found = new Map(rows.map((row) => [row[0] as string, row]));
      return wanted.map(({ key }) => found.get(key));
    },
    { maxBatch, maxInFlight: 1, onBatch: (size) => metrics.audit.commitBatchSize.observe(size) },
  );

  return async (key: string, audit: ReadAudit): Promise<Cells | undefined> => {
    const event = audit.event();
    try {
      // Here, so that a malformed event fails its own caller, never a shared statement.
      checkShape(event);
      const row = await readMany({ key, record: asRecord(event) });
      if (row) {
        countRecorded(metrics, event);
        audit.recorded(event);
      }
      return row;
    } catch (error) {
      metrics.audit.writeFailures.inc();
      throw error;
    }
  };
}
