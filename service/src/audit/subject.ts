import type { Context } from 'koa';
import { optionalAuthOf } from '../auth/context';
import { sendVersioned } from '../platform/conditional-request';

/**
 * Whose data a PHI request touched, for its audit event. There is one way to name it:
 * - a route whose subject is fixed by the request declares it (`patientIds: callerAsPatient`,
 *   `fromParam('patientId')`) in its `audit`;
 * - otherwise the handler notes it once it has the rows: `noteAuditSubject` for a list or query,
 *   `sendRecord` for one record;
 * - a refused request (404 on someone else's record, 409 on a move the row cannot make) is named by the
 *   route's `audit.refusal`, so a denied attempt is recorded against the patient whose record it was.
 */
export interface AuditNotes {
  readonly patientIds?: readonly string[];
  readonly resourceIds?: readonly string[];
  /** Ids the handler produced (e.g. the row it wrote), never request content. */
  readonly details?: Readonly<Record<string, string>>;
}

export type IdExtractor = (ctx: Context) => readonly string[];

/** Notes whose data the handler touched (and which records, when it knows them) for the audit event. */
export function noteAuditSubject(ctx: Context, notes: AuditNotes): void {
  ctx.state.audit = { ...ctx.state.audit, ...notes };
}

/** Answers one versioned clinical record (presented as `body`) and names it for the audit event. */
export function sendRecord(
  ctx: Context,
  row: { readonly id: string; readonly patientId: string },
  body: { readonly version: number },
  status = 200,
): void {
  noteAuditSubject(ctx, { patientIds: [row.patientId], resourceIds: [row.id] });
  ctx.status = status;
  sendVersioned(ctx, body);
}

/** The id in a route parameter, e.g. `patientIds: fromParam('patientId')` for `/patients/:patientId/...`. */
export const fromParam =
  (name: string): IdExtractor =>
  (ctx) => {
    const value = (ctx.params as Record<string, string | undefined> | undefined)?.[name];
    return value ? [value] : [];
  };

/** On a patient's own routes the patient whose data is touched is the caller. */
export const callerAsPatient: IdExtractor = (ctx) => {
  const auth = optionalAuthOf(ctx);
  return auth ? [auth.userId] : [];
};

/** The patients the handler noted (none when it noted nothing). */
export const notedPatients: IdExtractor = (ctx) => ctx.state.audit?.patientIds ?? [];

/** The records the handler noted, else the `:id` the request named (a create's id exists only after). */
export const notedResources: IdExtractor = (ctx) => ctx.state.audit?.resourceIds ?? fromParam('id')(ctx);

/**
 * After a handler failed: when it named no patient, asks `patientOf` whose record the request was for.
 * The refusal is what the client must get, so a failed lookup leaves the event without a patient.
 */
export async function nameRefusedSubject(
  ctx: Context,
  patientOf: () => Promise<string | undefined>,
): Promise<void> {
  if (ctx.state.audit?.patientIds !== undefined) return;
  const patientId = await patientOf().catch(() => undefined);
  noteAuditSubject(ctx, { patientIds: patientId ? [patientId] : [] });
}
