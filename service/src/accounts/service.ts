import type { Sequelize } from 'sequelize';
import type { Attempts } from '../auth/attempts';
import type { AuthContext, RequestOrigin } from '../auth/context';
import { User } from '../auth/model';
import type { PasswordResets } from '../auth/password-reset';
import { passwordPolicyProblem } from '../auth/password-policy';
import type { PasswordHasher } from '../auth/passwords';
import type { RecordSecurityEvent } from '../auth/security-events';
import { Patient } from '../patients/model';
import { unprocessable } from '../platform/errors';
import { Provider } from '../providers/model';
import type { CreateUserInput, RegisterInput } from './schemas';

export interface AccountsDeps {
  readonly sequelize: Sequelize;
  readonly recordSecurityEvent: RecordSecurityEvent;
  readonly hasher: PasswordHasher;
  readonly passwordResets: PasswordResets;
  readonly attempts: Attempts;
}

/**
 * Creating accounts: patients sign themselves up; providers and admins are created by an admin and set
 * their own password from the invitation (an admin never knows it). The account and its profile are
 * written in one transaction. (Profiles are written here until the patients and providers features
 * offer a service for it.)
 */
export function createAccounts(deps: AccountsDeps) {
  const created = async (user: User, origin: RequestOrigin, actor?: AuthContext) => {
    await deps.recordSecurityEvent({
      eventType: 'auth.account_created',
      outcome: 'success',
      origin,
      actorUserId: actor?.userId ?? user.id,
      actorRole: actor?.role ?? user.role,
      subjectUserId: user.id,
      details: { role: user.role },
    });
    return user;
  };

  return {
    async registerPatient(input: RegisterInput, origin: RequestOrigin): Promise<User> {
      await deps.attempts.spendAddress(origin);
      const problem = passwordPolicyProblem(input.password);
      if (problem) throw unprocessable([problem]);
      const passwordHash = await deps.hasher.hash(input.password);
      const user = await deps.sequelize.transaction(async (transaction) => {
        const account = await User.create(
          {
            email: input.email,
            passwordHash,
            role: 'patient',
            lockedUntil: null,
            externalSubject: null,
            passwordChangedAt: new Date(),
          },
          { transaction },
        );
        await Patient.create(
          {
            userId: account.id,
            givenName: input.givenName,
            familyName: input.familyName,
            dateOfBirth: input.dateOfBirth,
            phone: input.phone ?? null,
            allergies: null,
            conditions: null,
            medications: null,
            insurancePayer: null,
            insuranceMemberId: null,
            insuranceGroupNumber: null,
            subscriptionRenewsAt: null,
          },
          { transaction },
        );
        return account;
      });
      return created(user, origin);
    },

    async createStaff(actor: AuthContext, input: CreateUserInput, origin: RequestOrigin): Promise<User> {
      const user = await deps.sequelize.transaction(async (transaction) => {
        const account = await User.create(
          {
            email: input.email,
            passwordHash: null,
            role: input.role,
            lockedUntil: null,
            externalSubject: null,
            passwordChangedAt: null,
          },
          { transaction },
        );
        if (input.role === 'provider') {
          const { displayName, licenseNumber, licenseState, specialty } = input;
          await Provider.create(
            { userId: account.id, displayName, licenseNumber, licenseState, specialty },
            { transaction },
          );
        }
        await deps.passwordResets.invite(account.id, transaction);
        return account;
      });
      return created(user, origin, actor);
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
