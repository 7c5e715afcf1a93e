import type { RecordAuditEvent } from './recorder';

// createApp puts the recorder on every request's context, so routes can declare `audited(...)` without
// being handed the database.
declare module 'koa' {
  interface DefaultContext {
    recordAuditEvent?: RecordAuditEvent;
  }
}
