import { QueryTypes, type Sequelize } from 'sequelize';
import type { AuthContext, RequestOrigin } from '../auth/context';
import type { Role } from '../auth/model';
import type { RecordSecurityEvent } from '../auth/security-events';
import type { SessionStore } from '../auth/sessions';
import { assertRole } from '../platform/actor';
import { conflict, notFound } from '../platform/errors';

export interface AccountStatusDeps {
  readonly sequelize: Sequelize;
  readonly recordSecurityEvent: RecordSecurityEvent;
  readonly sessions: Pick<SessionStore, 'revokeAllForUser'>;
}

export interface AccountStatus {
  readonly id: string;
  readonly role: Role;
  readonly status: 'active' | 'disabled';
}

/**
 * Admins disable and enable accounts. Disabling revokes every session of the account in the same
 * transaction, and drops them from the session cache after commit, so the account's access tokens stop
 * working on its very next request; login, refresh and external tokens all require an active account.
 * Both are idempotent, and both are security events.
 */
export function createAccountStatus({ sequelize, recordSecurityEvent, sessions }: AccountStatusDeps) {
  const change = async (
    actor: AuthContext,
    userId: string,
    status: AccountStatus['status'],
    origin: RequestOrigin,
  ): Promise<AccountStatus> => {
    assertRole(actor, 'admin');
    // An admin locking themselves out could leave nobody to undo it.
    if (status === 'disabled' && userId === actor.userId)
      throw conflict('You cannot disable your own account.', 'cannot_disable_self');
    const { account, revoked } = await sequelize.transaction(async (transaction) => {
      const [row] = await sequelize.query<AccountStatus>(
        `UPDATE users SET status = $2, updated_at = now() WHERE id = $1 RETURNING id, role, status`,
        { bind: [userId, status], type: QueryTypes.SELECT, transaction },
      );
      if (!row) throw notFound('No such account.');
      const count =
        status === 'disabled' ? await sessions.revokeAllForUser(userId, 'account_disabled', transaction) : 0;
      return { account: row, revoked: count };
    });
    await recordSecurityEvent({
      eventType: status === 'disabled' ? 'auth.account_disabled' : 'auth.account_enabled',
      outcome: 'success',
      origin,
      actorUserId: actor.userId,
      actorRole: actor.role,
      subjectUserId: userId,
      details: status === 'disabled' ? { sessionsRevoked: revoked } : {},
    });
    return account;
  };

  return {
    disable: (actor: AuthContext, userId: string, origin: RequestOrigin) =>
      change(actor, userId, 'disabled', origin),
    enable: (actor: AuthContext, userId: string, origin: RequestOrigin) =>
      change(actor, userId, 'active', origin),
  };
}

export type AccountStatusService = ReturnType<typeof createAccountStatus>;
