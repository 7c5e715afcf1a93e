import type { User } from '../auth/model';

/** What an account response may carry: no password hash, no lockout state, no external subject. */
export function presentAccount(user: Pick<User, 'id' | 'email' | 'role' | 'createdAt'>) {
  return { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt.toISOString() };
}

/** What an admin sees after disabling or enabling an account: which account, and its status now. */
export function presentAccountStatus(account: Pick<User, 'id' | 'role' | 'status'>) {
  return { id: account.id, role: account.role, status: account.status };
}
