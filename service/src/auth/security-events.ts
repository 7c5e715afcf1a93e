import { AuditEvent, type AuditOutcome } from '../audit/model';
import type { Metrics } from '../observability/metrics';
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

/**
 * The one door through which identity and access write security events to the audit trail. The audit
 * module will later route this through its own recorder; callers do not change.
 */
export async function recordSecurityEvent(event: SecurityEvent, metrics: Metrics): Promise<void> {
  const subject = event.subjectUserId ?? event.actorUserId ?? null;
  const actorRole = event.actorRole ?? (event.actorUserId ? 'system' : 'anonymous');
  // A plain INSERT: the model declares seq as part of its key, so Sequelize would send it as NULL
  // instead of letting the sequence number the event.
  await AuditEvent.sequelize!.query(
    `INSERT INTO audit_events
       (actor_user_id, actor_role, action, event_type, resource_type, resource_ids, outcome,
        request_id, source_ip, user_agent, details)
     VALUES ($1, $2, 'security', $3, 'User', $4, $5, $6, $7, $8, $9)`,
    {
      bind: [
        event.actorUserId ?? null,
        actorRole,
        event.eventType,
        subject ? [subject] : [],
        event.outcome,
        event.origin.requestId,
        event.origin.ip,
        event.origin.userAgent,
        JSON.stringify(event.details ?? {}),
      ],
    },
  );
  metrics.audit.events.inc({ action: 'security', outcome: event.outcome, actor_role: actorRole });
}
