import { normalizeEmail, User } from '../auth/model';
import { passwordPolicyProblem } from '../auth/password-policy';
import type { PasswordHasher } from '../auth/passwords';
import type { RecordSecurityEvent } from '../auth/security-events';

export class BootstrapError extends Error {}

/**
 * The first admin cannot be created by an admin: the CLI (and the test factories) create it directly.
 * The password follows the same policy as everyone's; the admin enrolls MFA at first login.
 */
export async function createAdminAccount(
  hasher: PasswordHasher,
  recordSecurityEvent: RecordSecurityEvent,
  email: string,
  password: string,
): Promise<User> {
  const problem = passwordPolicyProblem(password);
  if (problem) throw new BootstrapError(`The password ${problem.detail}.`);
  if (await User.findOne({ where: { email: normalizeEmail(email) }, attributes: ['id'] })) {
    throw new BootstrapError('An account with this email already exists.');
  }
  const user = await User.create({
    email,
    passwordHash: await hasher.hash(password),
    role: 'admin',
    lockedUntil: null,
    externalSubject: null,
    passwordChangedAt: new Date(),
  });
  await recordSecurityEvent({
    eventType: 'auth.account_created',
    outcome: 'success',
    origin: { requestId: null, ip: null, userAgent: 'carewatch admin:create' },
    actorRole: 'admin',
    subjectUserId: user.id,
    details: { role: 'admin', via: 'cli' },
  });
  return user;
}
