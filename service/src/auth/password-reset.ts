import { Op, type Sequelize, type Transaction } from 'sequelize';
import { unauthorized, unprocessable } from '../platform/errors';
import { enqueue } from '../platform/outbox';
import type { Attempts } from './attempts';
import type { AuthConfig } from './config';
import type { RequestOrigin } from './context';
import { newOpaqueToken, sha256 } from './hashing';
import { normalizeEmail, PasswordReset, User } from './model';
import { passwordPolicyProblem } from './password-policy';
import type { PasswordHasher } from './passwords';
import type { RecordSecurityEvent } from './security-events';
import type { SessionStore } from './sessions';

export interface PasswordResetDeps {
  readonly config: AuthConfig;
  readonly sequelize: Sequelize;
  readonly recordSecurityEvent: RecordSecurityEvent;
  readonly hasher: PasswordHasher;
  readonly sessions: SessionStore;
  readonly attempts: Attempts;
}

/**
 * Single-use tokens that set a password: "forgot my password", and the invitation an account created by
 * an admin receives. Only the token's hash is stored; the token itself travels in an outbox message
 * (with the user id, never the address: the mailer looks that up).
 */
export function createPasswordResets(deps: PasswordResetDeps) {
  const { config, recordSecurityEvent } = deps;

  const issue = async (
    userId: string,
    topic: 'auth.password_reset' | 'auth.account_invitation',
    ttlSeconds: number,
    transaction: Transaction,
  ) => {
    const token = newOpaqueToken();
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    await PasswordReset.create(
      { userId, tokenHash: sha256(token), expiresAt, usedAt: null },
      { transaction },
    );
    await enqueue(topic, { userId, token, expiresAt: expiresAt.toISOString() }, transaction);
  };

  return {
    /** The same answer whether or not the account exists; the caller always replies 202. */
    async request(email: string, origin: RequestOrigin): Promise<void> {
      await deps.attempts.spendAddress(origin);
      const user = await User.findOne({
        where: { email: normalizeEmail(email), status: 'active' },
        attributes: ['id', 'role'],
        raw: true,
      });
      if (user)
        await deps.sequelize.transaction((transaction) =>
          issue(user.id, 'auth.password_reset', config.passwordResetTtlSeconds, transaction),
        );
      await recordSecurityEvent({
        eventType: 'auth.password_reset_requested',
        outcome: user ? 'success' : 'denied',
        origin,
        actorUserId: user?.id ?? null,
        actorRole: user?.role ?? null,
      });
    },

    invite: (userId: string, transaction: Transaction) =>
      issue(userId, 'auth.account_invitation', config.invitationTtlSeconds, transaction),

    /** Sets the new password, spends the token (and every other one of the account), ends every session. */
    async confirm(token: string, newPassword: string, origin: RequestOrigin): Promise<void> {
      await deps.attempts.spendAddress(origin);
      const problem = passwordPolicyProblem(newPassword, '#/body/newPassword');
      if (problem) throw unprocessable([problem]);
      const passwordHash = await deps.hasher.hash(newPassword);
      const user = await deps.sequelize.transaction(async (transaction) => {
        const reset = await PasswordReset.findOne({
          where: { tokenHash: sha256(token), usedAt: null, expiresAt: { [Op.gt]: new Date() } },
          include: [{ model: User, attributes: ['id', 'email', 'role'] }],
          lock: { level: transaction.LOCK.UPDATE, of: PasswordReset },
          transaction,
        });
        const owner = reset?.get('User') as User | undefined;
        if (!reset || !owner) return undefined;
        await PasswordReset.update(
          { usedAt: new Date() },
          { where: { userId: owner.id, usedAt: null }, transaction },
        );
        await User.update(
          { passwordHash, passwordChangedAt: new Date() },
          { where: { id: owner.id }, transaction },
        );
        await deps.sessions.revokeAllForUser(owner.id, 'password_reset', transaction);
        return owner;
      });
      if (!user) throw unauthorized('The reset token is unknown, used or expired.', 'invalid_reset_token');
      await deps.attempts.succeeded(user.email);
      await recordSecurityEvent({
        eventType: 'auth.password_reset',
        outcome: 'success',
        origin,
        actorUserId: user.id,
        actorRole: user.role,
        details: { sessionsRevoked: true },
      });
    },
  };
}

export type PasswordResets = ReturnType<typeof createPasswordResets>;
