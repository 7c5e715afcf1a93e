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
  /**
   * Who may read which record, when not everyone who names it: a condition on `wanted.key` and
   * `wanted.viewer` (the reader's id, a uuid). A record it refuses is answered as not found, and its
   * read records nothing in the statement (the route records the refusal). Every read then names its
   * viewer; one that names none is refused.
   */
  readonly visibleTo?: string;
  readonly query: DirectQuery;
  readonly metrics: Metrics;
  /** Reads in one statement at most. */
  readonly maxBatch: number;
}

/** One read: the record's key and, where visibility is checked, who reads it. */
export interface RecordRead {
  readonly key: string;
  readonly viewer?: string;
}

interface Wanted extends RecordRead {
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

const appendEvents = (from: string) => `INSERT INTO audit_events (${EVENT_COLUMNS.join(', ')})
    SELECT ${EVENT_COLUMNS.map((column) => `event.${column}`).join(', ')}
    FROM ${from} CROSS JOIN LATERAL jsonb_populate_record(NULL::audit_events, record) AS event`;

/**
 * One statement reads the records and appends the audit event of each read that found its record (and
 * may see it). Autocommit makes both one transaction, so a record is answered only from a statement
 * whose events are durable, and a failure of either fails both. A read that finds nothing answers no PHI:
 * its refusal is recorded by the route, as any other. The events come as one JSON array in the order of
 * the keys (`$2`): an array of texts would be escaped character by character by node-postgres.
 *
 * Where anyone who names a record may read it, the records come back once each, by key. Where visibility
 * is checked, two readers of one record may be answered differently: the rows come back read by read
 * (`n`, from 1), each with its record.
 */
function statementOf(select: string, visibleTo: string | undefined): string {
  const viewer = visibleTo ? 'viewer, ' : '';
  const wanted = `wanted AS (
    SELECT n, key, ${viewer}record FROM unnest($1::uuid[]${visibleTo ? ', $3::uuid[]' : ''})
      WITH ORDINALITY AS k (key, ${viewer}n)
    JOIN jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e (record, n) USING (n)
  )`;
  if (!visibleTo)
    return `WITH found AS (${select}), ${wanted},
  audited AS (${appendEvents('wanted JOIN found AS f (found_key) ON f.found_key = wanted.key')})
SELECT * FROM found`;
  return `WITH found AS (${select}), ${wanted},
  allowed AS (
    SELECT wanted.n, wanted.key, wanted.record FROM wanted JOIN found AS f (found_key) ON f.found_key = wanted.key
    WHERE ${visibleTo}
  ),
  audited AS (${appendEvents('allowed')})
SELECT allowed.n::int, f.* FROM allowed JOIN found AS f (found_key) ON f.found_key = allowed.key`;
}

/** Each read's record among a statement's rows, when they come back by key (see statementOf). */
function answersByKey(rows: readonly Cells[], wanted: readonly RecordRead[]) {
  // user_id comes back in PostgreSQL's text form of a uuid: lower case, as the keys are.
  const found = new Map(rows.map((row) => [row[0] as string, row]));
  return wanted.map(({ key }) => found.get(key));
}

/** Each read's record among a statement's rows, when they come back read by read (see statementOf). */
function answersByRead(rows: readonly Cells[], wanted: readonly RecordRead[]) {
  const answered = new Array<Cells | undefined>(wanted.length);
  for (const row of rows) answered[(row[0] as number) - 1] = row.slice(1);
  return answered;
}

/**
 * Reads one record by key with its audit event in the same statement, shared with the reads of other
 * requests made meanwhile (platform/group-commit), one statement at a time. Against a read and then the
 * route's own event, it saves a round trip to the database and a commit's wait per request, which under
 * load was most of the PHI read's time (loadtests/reports/hot-paths.md). Keys and viewers must be UUIDs
 * (anything else would fail the statement for every read in it), keys in lower case (the form
 * PostgreSQL answers).
 */
export function createAuditedRead({ select, visibleTo, query, metrics, maxBatch }: AuditedReadOptions) {
  const statement = statementOf(select, visibleTo);
  const answersOf = visibleTo ? answersByRead : answersByKey;
  const readMany = groupCommit(
    async (wanted: readonly Wanted[]) => {
      const values: unknown[] = [
        wanted.map(({ key }) => key),
        `[${wanted.map(({ record }) => record).join(',')}]`,
      ];
      if (visibleTo) values.push(wanted.map(({ viewer }) => viewer ?? null));
      return answersOf(await query('insert', statement, values), wanted);
    },
    { maxBatch, maxInFlight: 1, onBatch: (size) => metrics.audit.commitBatchSize.observe(size) },
  );

  return async (read: RecordRead, audit: ReadAudit): Promise<Cells | undefined> => {
    const event = audit.event();
    try {
      // Here, so that a malformed event fails its own caller, never a shared statement.
      checkShape(event);
      const row = await readMany({ ...read, record: asRecord(event) });
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
