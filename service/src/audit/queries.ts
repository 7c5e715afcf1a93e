import { QueryTypes, type Sequelize } from 'sequelize';
import { boundConditions } from '../platform/bound-conditions';
import type { AuditEventsQuery } from './schemas';

/** An audit event as the compliance API shows it (it holds no PHI by construction). */
export interface AuditEventView {
  readonly seq: string;
  readonly occurredAt: string;
  readonly actorUserId: string | null;
  readonly actorRole: string;
  readonly action: string;
  readonly eventType: string;
  readonly resourceType: string;
  readonly resourceIds: string[];
  readonly patientIds: string[];
  readonly outcome: string;
  readonly requestId: string | null;
  readonly traceId: string | null;
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
  readonly details: Record<string, unknown>;
}

export type AuditFilter = Omit<AuditEventsQuery, 'cursor' | 'limit'>;

const VIEW_COLUMNS = `seq::text AS seq, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "occurredAt",
  actor_user_id AS "actorUserId", actor_role AS "actorRole", action, event_type AS "eventType",
  resource_type AS "resourceType", resource_ids AS "resourceIds", patient_ids AS "patientIds", outcome,
  request_id AS "requestId", trace_id AS "traceId", source_ip AS "sourceIp", user_agent AS "userAgent", details`;

/** WHERE clause and bound values for a filter; every value is bound, never spliced. */
function conditions(filter: AuditFilter, before?: string): { where: string; bind: unknown[] } {
  const { sql, bind } = boundConditions([
    [(p) => `patient_ids @> ARRAY[${p}::uuid]`, filter.patientId],
    [(p) => `actor_user_id = ${p}`, filter.userId],
    [(p) => `action = ${p}`, filter.action],
    [(p) => `occurred_at >= ${p}`, filter.from],
    [(p) => `occurred_at < ${p}`, filter.to],
    [(p) => `audit_events.seq < ${p}::bigint`, before],
  ]);
  return { where: `WHERE ${sql}`, bind };
}

/**
 * One page, newest first, paginated by key: the cursor is the last sequence number seen, so a page
 * costs the same however deep it is and events written meanwhile never shift it.
 */
export async function findAuditEvents(
  sequelize: Sequelize,
  query: AuditFilter & { readonly cursor?: string; readonly limit: number },
): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
  const { where, bind } = conditions(query, query.cursor);
  const rows = await sequelize.query<AuditEventView>(
    `SELECT ${VIEW_COLUMNS} FROM audit_events ${where} ORDER BY audit_events.seq DESC LIMIT ${query.limit + 1}`,
    { bind, type: QueryTypes.SELECT },
  );
  const items = rows.slice(0, query.limit);
  return { items, nextCursor: rows.length > query.limit ? items.at(-1)!.seq : null };
}

/** Every matching event, page by page, for streamed exports. */
export async function* allAuditEvents(
  sequelize: Sequelize,
  filter: AuditFilter,
): AsyncGenerator<AuditEventView> {
  let cursor: string | undefined;
  do {
    const page = await findAuditEvents(sequelize, { ...filter, limit: 500, ...(cursor ? { cursor } : {}) });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
