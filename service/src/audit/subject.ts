import type { Context, Middleware } from 'koa';
import { sendVersioned } from '../platform/conditional-request';
import { audited, fromParam, patientIdsFromState, type IdExtractor } from './middleware';
import type { AuditAction } from './model';

/**
 * Whose record a single-record PHI route touched, for its audit event: the handler names it from the row
 * it read or changed (`noteAuditSubject`); when the request is refused before the handler sees a row
 * (404 on someone else's record, 409 on a move the row cannot make), `subjectOfRefusal` looks it up, so a
 * denied attempt is recorded against the patient whose record it was.
 */
export interface AuditSubject {
  readonly patientId: string;
  readonly resourceId: string;
}

export function noteAuditSubject(ctx: Context, subject: AuditSubject): void {
  ctx.state.auditPatientIds = [subject.patientId];
  ctx.state.auditResourceIds = [subject.resourceId];
}

/** Answers one versioned clinical record (presented as `body`) and names it for the audit event. */
export function sendRecord(
  ctx: Context,
  row: { readonly id: string; readonly patientId: string },
  body: { readonly version: number },
  status = 200,
): void {
  noteAuditSubject(ctx, { patientId: row.patientId, resourceId: row.id });
  ctx.status = status;
  sendVersioned(ctx, body);
}

/** The record the handler noted, else the `:id` the request named (a create's id exists only after). */
const resourceIdsOf: IdExtractor = (ctx) =>
  (ctx.state.auditResourceIds as string[] | undefined) ?? fromParam('id')(ctx);

/** The audit of a route that reads, creates or changes one record (or lists some, noting their patients). */
export const auditedRecord = (action: AuditAction, resourceType: string): Middleware =>
  audited({ action, resourceType, patientIds: patientIdsFromState, resourceIds: resourceIdsOf });

export function subjectOfRefusal(patientOf: (ctx: Context) => Promise<string | undefined>): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (ctx.state.auditPatientIds === undefined) {
        // The refusal is what the client must get: a failed lookup leaves the event without a patient.
        const patientId = await patientOf(ctx).catch(() => undefined);
        ctx.state.auditPatientIds = patientId ? [patientId] : [];
      }
      throw error;
    }
  };
}
