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
  /** `[event if found, event if missing]` as JSON (see `eventsText`). */
  readonly events: string;
  readonly ifFound: AuditEventInput;
  readonly ifMissing: AuditEventInput;
}

interface Answer {
  readonly row: Cells | undefined;
  readonly event: AuditEventInput;
}

/** An event as jsonb_populate_record takes it: a row of audit_events by column name. */
function asRecord(event: AuditEventInput): Record<string, unknown> {
  const values = bindValues(event);
  const record: Record<string, unknown> = {};
  EVENT_COLUMNS.forEach((column, i) => (record[column] = values[i]));
  return record;
}

/**
 * One statement reads the records and appends each read's audit event, the one for what the read found:
 * its record (success) or none (refused, 404). Autocommit makes both one transaction, so a record is
 * answered only from a statement whose events are durable, and a failure of either fails both. The events
 * come as one JSON array beside the keys (`$2`, in the order of `$1`): an array of texts would be escaped
 * character by character by node-postgres.
 */
const statementOf = (select: string) => `WITH found AS (${select}),
  wanted AS (
    SELECT key, events FROM unnest($1::uuid[]) WITH ORDINALITY AS k (key, n)
    JOIN jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e (events, n) USING (n)
  ),
  audited AS (
    INSERT INTO audit_events (${EVENT_COLUMNS.join(', ')})
    SELECT ${EVENT_COLUMNS.map((column) => `event.${column}`).join(', ')}
    FROM wanted CROSS JOIN LATERAL jsonb_populate_record(NULL::audit_events,
      CASE WHEN wanted.key IN (SELECT found_key FROM found AS f (found_key)) THEN wanted.events -> 0
      ELSE wanted.events -> 1 END) AS event
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
    async (wanted: readonly Wanted[]): Promise<Answer[]> => {
      const rows = await query('insert', statement, [
        wanted.map(({ key }) => key),
        `[${wanted.map(({ events }) => events).join(',')}]`,
      ]);
      const found = new Map(rows.map((row) => [row[0] as string, row]));
      return wanted.map(({ key, ifFound, ifMissing }) => {
        const row = found.get(key);
        return { row, event: row ? ifFound : ifMissing };
      });
    },
    { maxBatch, maxInFlight: 1, onBatch: (size) => metrics.audit.commitBatchSize.observe(size) },
  );

  return async (key: string, audit: ReadAudit): Promise<Cells | undefined> => {
    const ifFound = audit.eventFor(true);
    const ifMissing = audit.eventFor(false);
    try {
      // Here, so that a malformed event fails its own caller, never a shared statement.
      checkShape(ifFound);
      checkShape(ifMissing);
      const events = JSON.stringify([asRecord(ifFound), asRecord(ifMissing)]);
      const { row, event } = await readMany({ key, events, ifFound, ifMissing });
      countRecorded(metrics, event);
      audit.recorded(event);
      return row;
    } catch (error) {
      metrics.audit.writeFailures.inc();
      throw error;
    }
  };
}
