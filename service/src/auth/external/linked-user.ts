import { Op } from 'sequelize';
import type { User } from '../model';

/** Returns the local user id linked to an external subject, or undefined when none is (or it is disabled). */
export type FindLinkedUser = (subject: string) => Promise<string | undefined>;

/**
 * Looks a provider's subject up in `users.external_subject` (unique where set). A disabled account is
 * never reachable through its external identity, whatever the provider says about it.
 */
export function linkedUserFinder(users: typeof User): FindLinkedUser {
  return async (subject) => {
    // Runs on every request that carries an external token: a raw row, not a model instance.
    const row = await users.findOne({
      where: { externalSubject: subject, status: { [Op.ne]: 'disabled' } },
      attributes: ['id'],
      raw: true,
    });
    return row?.id;
  };
}
