import type { ReadAudit } from './audit/read-audit';
import type { AuditNotes } from './audit/subject';

/**
 * Everything a request carries on `ctx.state`, declared once: each slot has one writer (named here) and
 * is read through that writer's accessor, never by a string key.
 */
declare module 'koa' {
  interface DefaultState {
    /** observability/request-id.ts */
    requestId?: string;
    /**
     * Who is calling: written by the guards (auth/guards.ts), read only through `authOf` /
     * `optionalAuthOf` (auth/context.ts), which give it its type.
     */
    auth?: unknown;
    /** audit/subject.ts: whose data the handler touched, read by the route's audit (audit/middleware.ts) */
    audit?: AuditNotes;
    /** audit/middleware.ts: the route's event, for a handler that writes it with its read (read-audit.ts) */
    readAudit?: ReadAudit;
  }
}
