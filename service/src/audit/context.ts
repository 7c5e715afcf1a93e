import type Koa from 'koa';
import type { Context } from 'koa';
import type { AuditEventInput, RecordAuditEvent } from './recorder';

const RECORDER = Symbol('carewatch.auditRecorder');
type WithRecorder = { [RECORDER]?: RecordAuditEvent };

/**
 * createApp puts the recorder on `app.context`, the prototype of every request's ctx, so routes can
 * declare their audit without being handed the database.
 */
export function installAuditRecorder(app: Koa, record: RecordAuditEvent): void {
  (app.context as WithRecorder)[RECORDER] = record;
}

/** Writes one audit event with the app's recorder; throws when the app has none (the route then 503s). */
export async function recordAuditEvent(ctx: Context, event: AuditEventInput): Promise<void> {
  const record = (ctx as unknown as WithRecorder)[RECORDER];
  if (!record) throw new Error('no audit recorder is configured');
  await record(event);
}
