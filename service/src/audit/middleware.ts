import { isDeepStrictEqual } from 'node:util';
import { currentTraceIds } from '../observability/trace-ids';
import type { Context, Middleware } from 'koa';
import '../request-state';
import { serviceUnavailable } from '../platform/errors';
import { toAppError } from '../platform/problem';
import { optionalAuthOf } from '../auth/context';
import { tagged } from '../platform/route-metadata';
import { actorOf } from './audit-actor';
import { recordAuditEvent } from './context';
import type { AuditAction, AuditOutcome, AuditSeverity } from './model';
import type { AuditEventInput } from './recorder';
import { notedPatients, notedResources, type IdExtractor } from './subject';

export interface AuditedOptions {
  readonly action: AuditAction;
  /** PascalCase type of the resource, e.g. `Patient`. */
  readonly resourceType: string;
  /** The patients whose data the request touched; by default the ones the handler noted. */
  readonly patientIds?: IdExtractor;
  /** The records it touched; by default the ones the handler noted, else the `:id` parameter. */
  readonly resourceIds?: IdExtractor;
  /** Marks every event of the route for reviewers (`details.severity`); ordinary events have none. */
  readonly severity?: AuditSeverity;
}

/** 401, 403 and 404 on a PHI route are refused attempts (404 is how another patient's record is refused). */
function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return 'success';
  return status === 401 || status === 403 || status === 404 ? 'denied' : 'error';
}

type Details = Record<string, string | number | boolean>;

function eventOf(ctx: Context, options: AuditedOptions, status: number): AuditEventInput {
  const outcome = outcomeOf(status);
  const identity = optionalAuthOf(ctx);
  // The handler's ids first, so that they can never replace the codes below.
  const details: Details = { ...ctx.state.audit?.details };
  // A token from the external identity provider has no local session.
  if (identity?.sessionId) details.sessionId = identity.sessionId;
  if (identity) details.aal = identity.aal;
  if (outcome !== 'success') details.status = status;
  if (options.severity) details.severity = options.severity;
  return {
    actor: actorOf(ctx),
    action: options.action,
    eventType: `phi.${options.action}`,
    resourceType: options.resourceType,
    resourceIds: (options.resourceIds ?? notedResources)(ctx),
    patientIds: (options.patientIds ?? notedPatients)(ctx),
    outcome,
    requestId: ctx.state.requestId,
    traceId: currentTraceIds()?.traceId,
    sourceIp: ctx.ip,
    userAgent: ctx.get('User-Agent') || undefined,
    details,
  };
}

/**
 * Audits a PHI route, fail closed: the handler runs, then its event is written and committed before the
 * response leaves (Koa sends the body only after the middleware chain resolves). If the event cannot be
 * written, the body the handler produced is dropped and the client gets 503 instead.
 *
 * A handler that reads one record may write the event in its read's own statement instead
 * (audit/read-audit.ts); the event is then not written again, unless the request ended otherwise than
 * the read did (a later failure), whose event is written as well.
 */
export function audited(options: AuditedOptions): Middleware {
  const middleware: Middleware = async (ctx, next) => {
    let failure: unknown;
    let failed = false;
    let recordedWithRead: AuditEventInput | undefined;
    ctx.state.readAudit = {
      event: () => eventOf(ctx, options, 200),
      recorded: (event) => {
        recordedWithRead = event;
      },
    };
    try {
      await next();
    } catch (error) {
      failure = error;
      failed = true;
    }
    const status = failed ? toAppError(failure).status : ctx.status;
    try {
      const event = eventOf(ctx, options, status);
      if (!isDeepStrictEqual(event, recordedWithRead)) await recordAuditEvent(ctx, event);
    } catch (auditFailure) {
      ctx.body = undefined;
      throw serviceUnavailable(
        'The audit trail is unavailable, so the request was refused.',
        'audit_unavailable',
        auditFailure,
      );
    }
    if (failed) throw failure;
  };
  return tagged(middleware, { audit: { action: options.action, resourceType: options.resourceType } });
}
