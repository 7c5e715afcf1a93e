import type { AuditOutcome } from '../audit/model';
import type { RecordAuditEvent } from '../audit/recorder';
import type { RequestOrigin } from './context';
import type { Role } from './model';

export type SecurityEventType =
  | 'auth.login_succeeded'
  | 'auth.login_failed'
  | 'auth.lockout'
  | 'auth.logout'
  | 'auth.logout_all'
  | 'auth.refresh_reuse'
  | 'auth.mfa_enrolled'
  | 'auth.mfa_failed'
  | 'auth.mfa_recovery_codes_regenerated'
  | 'auth.step_up'
  | 'auth.password_reset_requested'
  | 'auth.password_reset'
  | 'auth.account_created'
  | 'auth.account_disabled'
  | 'auth.account_enabled';

export interface SecurityEvent {
  readonly eventType: SecurityEventType;
  readonly outcome: AuditOutcome;
  readonly origin: RequestOrigin;
  /** Who acted; null when nobody could be identified (an unknown email, a stranger's token). */
  readonly actorUserId?: string | null;
  readonly actorRole?: Role | null;
  /** The account the event is about, when it differs from the actor (an admin creating a user). */
  readonly subjectUserId?: string | null;
  /** Codes and numbers only (a reason, a lockout's length): never an email, a name or a token. */
  readonly details?: Record<string, string | number | boolean>;
}

/** Writes one security event to the audit trail; resolves once it is committed. */
export type RecordSecurityEvent = (event: SecurityEvent) => Promise<void>;

/**
 * The one door through which identity and access write security events: the audit trail's own recorder,
 * so they get the same shape checks, id filtering, batched durable commit, and write-failure metric and
 * log as every other audit event.
 */
export function securityEventRecorder(record: RecordAuditEvent): RecordSecurityEvent {
  return async (event) => {
    const subject = event.subjectUserId ?? event.actorUserId ?? null;
    await record({
      actor: {
        userId: event.actorUserId ?? null,
        role: event.actorRole ?? (event.actorUserId ? 'system' : 'anonymous'),
      },
      action: 'security',
      eventType: event.eventType,
      resourceType: 'User',
      resourceIds: subject ? [subject] : [],
      outcome: event.outcome,
      requestId: event.origin.requestId ?? undefined,
      sourceIp: event.origin.ip ?? undefined,
      userAgent: event.origin.userAgent ?? undefined,
      details: event.details,
    });
  };
}
