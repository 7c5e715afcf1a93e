import type { Context } from 'koa';
import '../request-state';
import type { AuditEventInput } from './recorder';

/**
 * A PHI read's own audit event, offered by the route's audit (audit/middleware.ts) to a handler that can
 * write it in the statement that reads the record (audit/audited-read.ts): one round trip to the database
 * instead of two, and the record never leaves it without its event committed.
 */
export interface ReadAudit {
  /** The event the route records when the read answers the record. */
  event(): AuditEventInput;
  /**
   * Told once the event is committed: the route then records nothing more, unless the request ends
   * otherwise.
   */
  recorded(event: AuditEventInput): void;
}

/** The route's offer, when it is audited. */
export const readAuditOf = (ctx: Context): ReadAudit | undefined => ctx.state.readAudit;
