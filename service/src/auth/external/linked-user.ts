import { Op } from 'sequelize';
import type { Role, User, UserStatus } from '../model';

/** What a request needs of the local account linked to an external subject. */
export interface LinkedUser {
  readonly userId: string;
  readonly role: Role;
  readonly status: UserStatus;
}

/** Returns the local user linked to an external subject, or undefined when none is (or it is disabled). */
export type FindLinkedUser = (subject: string) => Promise<LinkedUser | undefined>;

/**
 * Looks a provider's subject up in `users.external_subject` (unique where set). A disabled account is
 * never reachable through its external identity, whatever the provider says about it.
 */
export function linkedUserFinder(users: typeof User): FindLinkedUser {
  return async (subject) => {
    // Runs on every request that carries an external token: a raw row, not a model instance, and the only
    // read of it (the authenticator decides on its role and status without reading the user again).
    const row = await users.findOne({
      where: { externalSubject: subject, status: { [Op.ne]: 'disabled' } },
      attributes: ['id', 'role', 'status'],
      raw: true,
    });
    return row ? { userId: row.id, role: row.role, status: row.status } : undefined;
  };
}
