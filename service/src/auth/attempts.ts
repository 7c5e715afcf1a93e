import type { Metrics } from '../observability/metrics';
import { unauthorized } from '../platform/errors';
import type { RequestOrigin } from './context';
import type { Role } from './model';
import type { RecordSecurityEvent, SecurityEventType } from './security-events';
import { startAtZero } from '../observability/known-series';
import { LOCKOUT_SCOPES, accountKey, type Lockout, type Throttle } from './throttle';

export interface AttemptSubject {
  /** The email as typed or as stored: it only keys the lockout counter (hashed). */
  readonly email: string;
  readonly userId: string | null;
  readonly role: Role | null;
}

export interface AttemptOptions {
  readonly failureEvent: SecurityEventType;
  readonly failureCode: string;
  readonly failureDetail: string;
}

/**
 * One credential check (a password, a TOTP code, a recovery code) under the lockout rules: refused at
 * once while the account is locked; a failure is counted, recorded, and may lock the account.
 */
export function createAttempts(
  throttle: Throttle,
  metrics: Metrics,
  recordSecurityEvent: RecordSecurityEvent,
) {
  startAtZero(metrics.auth.lockouts, { scope: LOCKOUT_SCOPES });
  const recordLockout = async (lockout: Lockout, origin: RequestOrigin, subject?: AttemptSubject) => {
    metrics.auth.lockouts.inc({ scope: lockout.scope });
    await recordSecurityEvent({
      eventType: 'auth.lockout',
      outcome: 'denied',
      origin,
      actorUserId: subject?.userId ?? null,
      actorRole: subject?.role ?? null,
      details: { scope: lockout.scope, seconds: lockout.seconds },
    });
  };

  return {
    spendAddress: (origin: RequestOrigin) =>
      throttle.spendAddress(origin.ip ?? 'unknown', (lockout) => recordLockout(lockout, origin)),

    async attempt(
      subject: AttemptSubject,
      origin: RequestOrigin,
      options: AttemptOptions,
      check: () => Promise<boolean>,
    ) {
      const account = accountKey(subject.email);
      await throttle.assertAccountOpen(account);
      if (await check()) return;
      const lockout = await throttle.recordFailure(account);
      await recordSecurityEvent({
        eventType: options.failureEvent,
        outcome: 'denied',
        origin,
        actorUserId: subject.userId,
        actorRole: subject.role,
      });
      if (lockout) await recordLockout(lockout, origin, subject);
      throw unauthorized(options.failureDetail, options.failureCode);
    },

    succeeded: (email: string) => throttle.recordSuccess(accountKey(email)),
  };
}

export type Attempts = ReturnType<typeof createAttempts>;
