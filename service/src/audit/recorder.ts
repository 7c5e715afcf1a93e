import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { AuditActor } from './audit-actor';
import { createDirectQuery, type DirectQueryOptions } from '../platform/direct-query';
import { groupCommit } from '../platform/group-commit';
import { startAtZero } from '../observability/known-series';
import { ACTOR_ROLES, AUDIT_ACTIONS, AUDIT_OUTCOMES, type AuditAction, type AuditOutcome } from './model';
import { UUID_SHAPE } from '../platform/uuid';

/**
 * What one audit event says: ids and codes only. Free text never goes in: `details` takes short scalar
 * values chosen by the caller (a status code, a lockout's duration), never request content.
 */
export interface AuditEventInput {
  readonly actor: AuditActor;
  readonly action: AuditAction;
  /** Lower-case dotted code, e.g. `phi.read` or `auth.login_failed`. */
  readonly eventType: string;
  readonly resourceType: string;
  readonly resourceIds?: readonly string[];
  readonly patientIds?: readonly string[];
  readonly outcome: AuditOutcome;
  readonly requestId?: string;
  readonly traceId?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

/** Writes one event; resolves once it is committed (or once `transaction` holds it). */
export type RecordAuditEvent = (
  event: AuditEventInput,
  transaction?: Transaction,
) => Promise<{ seq: string }>;

// Resource ids come from URLs and bodies: anything that is not a plain id could be text a person typed.
const PLAIN_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_IDS = 1000;
const MAX_USER_AGENT = 256;

function uniquePlainIds(
  ids: readonly string[] | undefined,
  shape: RegExp,
): { ids: string[]; dropped: number } {
  const all = [...new Set(ids ?? [])];
  const kept = all.filter((id) => shape.test(id)).slice(0, MAX_IDS);
  return { ids: kept, dropped: all.length - kept.length };
}

/** The columns an event fills, in the order of `bindValues`; the database fills the rest. */
export const EVENT_COLUMNS = [
  'actor_user_id',
  'actor_role',
  'action',
  'event_type',
  'resource_type',
  'resource_ids',
  'patient_ids',
  'outcome',
  'request_id',
  'trace_id',
  'source_ip',
  'user_agent',
  'details',
] as const;
const COLUMNS = EVENT_COLUMNS.join(', ');
const CASTS = ['', '', '', '', '', '::text[]', '::uuid[]', '', '', '', '', '', '::jsonb'];

/** One multi-row INSERT; PostgreSQL returns the rows of a VALUES list in the order given. */
function buildInsertStatement(rows: number): string {
  const tuples = Array.from(
    { length: rows },
    (_, row) => `(${CASTS.map((cast, i) => `$${row * CASTS.length + i + 1}${cast}`).join(', ')})`,
  );
  return `INSERT INTO audit_events (${COLUMNS}) VALUES ${tuples.join(', ')} RETURNING seq::text AS seq`;
}

// Built once per batch size: every batch would otherwise build and hash a new text of a few kilobytes.
const insertStatements: string[] = [];
const insertStatement = (rows: number) => (insertStatements[rows] ??= buildInsertStatement(rows));

// Checked here so that a malformed event fails its caller alone, never a shared batch in the database.
const EVENT_TYPE = /^[a-z_.]+$/;
const RESOURCE_TYPE = /^[A-Za-z]+$/;

// Details are codes, counts and ids: a string of any other shape could be text a person typed.
const isPlainDetail = (value: unknown): boolean =>
  typeof value === 'number' ||
  typeof value === 'boolean' ||
  (typeof value === 'string' && PLAIN_ID.test(value));

export function checkShape(event: AuditEventInput): void {
  if (!EVENT_TYPE.test(event.eventType) || !RESOURCE_TYPE.test(event.resourceType)) {
    throw new Error('audit event type or resource type is malformed');
  }
  // The message names no value: it reaches the log.
  if (!Object.values(event.details ?? {}).every(isPlainDetail)) {
    throw new Error('audit event details hold something other than codes, counts and ids');
  }
}

/** The event's values in EVENT_COLUMNS order (node-postgres sends `details` as JSON). */
export function bindValues(event: AuditEventInput): unknown[] {
  const resources = uniquePlainIds(event.resourceIds, PLAIN_ID);
  const patients = uniquePlainIds(event.patientIds, UUID_SHAPE);
  const dropped = resources.dropped + patients.dropped;
  const details = dropped > 0 ? { ...event.details, idsDropped: dropped } : (event.details ?? {});
  return [
    event.actor.userId,
    event.actor.role,
    event.action,
    event.eventType,
    event.resourceType,
    resources.ids,
    patients.ids.map((id) => id.toLowerCase()),
    event.outcome,
    event.requestId ?? null,
    event.traceId ?? null,
    event.sourceIp ?? null,
    event.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
    details,
  ];
}

/** Counts an event the trail now holds. */
export function countRecorded(metrics: Metrics, event: AuditEventInput): void {
  metrics.audit.events.inc({ action: event.action, outcome: event.outcome, actor_role: event.actor.role });
}

/**
 * How events enter the trail (the middleware and the security events of auth both use it; a record read
 * writes its own event in its statement, audit/audited-read.ts). The database assigns the sequence number
 * and the content hash, so a caller cannot forge either.
 */
export function createAuditRecorder(
  sequelize: Sequelize,
  metrics: Metrics,
  logger: Logger,
  directQuery: DirectQueryOptions,
): RecordAuditEvent {
  startAtZero(metrics.audit.events, {
    action: AUDIT_ACTIONS,
    outcome: AUDIT_OUTCOMES,
    actor_role: ACTOR_ROLES,
  });
  const insert = (events: readonly AuditEventInput[], transaction: Transaction) =>
    sequelize.query<{ seq: string }>(insertStatement(events.length), {
      bind: events.flatMap(bindValues),
      type: QueryTypes.SELECT,
      transaction,
    });
  // Outside a transaction each batch is one statement on its own (autocommit), the one per request that
  // every audited route runs: it skips Sequelize's per-call work.
  const direct = createDirectQuery(sequelize, metrics, directQuery);
  const committed = groupCommit(
    (events: readonly AuditEventInput[]) =>
      direct('insert', insertStatement(events.length), events.flatMap(bindValues)).then((rows) =>
        rows.map(([seq]) => ({ seq: seq as string })),
      ),
    // One statement at a time: the events that arrive meanwhile wait and go together in the next one.
    // Each statement costs PostgreSQL about 230 µs of CPU whatever its size, a row about 33 µs more
    // (loadtests/reports/audit-trigger.md). Under the PHI read at saturation, batches hold 10–11 events with
    // 1 in flight and 6–7 with 2, which answered fewer requests per second (loadtests/hot-cpu.ts).
    { maxBatch: 100, maxInFlight: 1, onBatch: (size) => metrics.audit.commitBatchSize.observe(size) },
  );

  return async (event, transaction) => {
    try {
      checkShape(event);
      // Inside a caller's transaction the event commits (or not) with the caller's own writes.
      const row = transaction ? (await insert([event], transaction))[0]! : await committed(event);
      countRecorded(metrics, event);
      return { seq: row.seq };
    } catch (error) {
      metrics.audit.writeFailures.inc();
      // The SQLSTATE only: a driver message may quote the values that were bound.
      // (Sequelize wraps the driver's error in `original`; a direct statement throws the driver's own.)
      const failed = error as { code?: string; original?: { code?: string } };
      const code = failed.original?.code ?? failed.code ?? 'unknown';
      logger.error('audit event could not be written', {
        sqlState: code,
        action: event.action,
        requestId: event.requestId,
      });
      throw error;
    }
  };
}
