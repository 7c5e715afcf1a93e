import { QueryTypes, type Sequelize } from 'sequelize';
import { boundConditions } from '../platform/bound-conditions';
import { keysetClause, presentPage, toPage, type Page } from '../platform/keyset-page';
import { BreakGlassReason } from './break-glass-model';
import type { BreakGlassReasonsQuery } from './schemas';

/** One break-glass access as the caller identifies it: the id its audit event names, and its request. */
export interface BreakGlassAccess {
  readonly id: string;
  readonly requestId?: string;
}

/** Keeps the stated reason (encrypted by the model) before any record is read. */
export async function keepBreakGlassReason(
  access: BreakGlassAccess,
  actorUserId: string,
  patientId: string,
  reason: string,
): Promise<void> {
  await BreakGlassReason.create({
    id: access.id,
    actorUserId,
    patientId,
    requestId: access.requestId ?? null,
    reason,
  });
}

/** A kept reason as the compliance API shows it: decrypted, for admins reviewing break-glass use. */
export interface BreakGlassReasonView {
  /** The `breakGlassId` in the details of the access's audit event. */
  readonly id: string;
  readonly occurredAt: string;
  readonly actorUserId: string;
  readonly patientId: string;
  readonly requestId: string | null;
  readonly reason: string;
}

const present = (row: BreakGlassReason): BreakGlassReasonView => ({
  id: row.id,
  occurredAt: row.occurredAt.toISOString(),
  actorUserId: row.actorUserId,
  patientId: row.patientId,
  requestId: row.requestId,
  reason: row.reason,
});

/** One page of kept reasons, newest first, filtered by patient, user and time (every value bound). */
export async function findBreakGlassReasons(
  sequelize: Sequelize,
  query: BreakGlassReasonsQuery,
): Promise<Page<BreakGlassReasonView>> {
  const { sql, bind } = boundConditions([
    [(p) => `patient_id = ${p}`, query.patientId],
    [(p) => `actor_user_id = ${p}`, query.userId],
    [(p) => `occurred_at >= ${p}`, query.from],
    [(p) => `occurred_at < ${p}`, query.to],
  ]);
  const keyset = keysetClause(query, 'occurred_at', bind.length + 1);
  // Model instances, not raw rows: the model's getter decrypts the reason.
  const rows = await sequelize.query<BreakGlassReason>(
    `SELECT * FROM break_glass_reasons WHERE ${sql} ${keyset.where} ${keyset.orderLimit}`,
    { bind: [...bind, ...keyset.bind], model: BreakGlassReason, mapToModel: true, type: QueryTypes.SELECT },
  );
  return presentPage(
    toPage(rows, query.limit, (row) => ({ at: row.occurredAt, id: row.id })),
    present,
  );
}
