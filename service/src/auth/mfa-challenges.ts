import { Op } from 'sequelize';
import { newOpaqueToken, sha256 } from './hashing';
import { MfaChallenge } from './model';

/**
 * The state between a correct password and a correct second factor: not a session, just a short-lived
 * bearer secret naming the user. It is kept in PostgreSQL (migration 0016), not in Redis: it exists
 * nowhere else, so an MFA login must not depend on Redis being reachable, and every instance sees it.
 * Only its hash is stored, so the table never holds a usable token.
 */
export interface MfaChallenges {
  issue(userId: string): Promise<string>;
  /** The user a live challenge names; undefined when it is unknown, spent or expired. */
  userOf(challenge: string): Promise<string | undefined>;
  /** Spends a live challenge of `userId`: true for exactly one caller, however many present it at once. */
  consume(challenge: string, userId: string): Promise<boolean>;
}

export function createMfaChallenges(ttlSeconds: number): MfaChallenges {
  const live = (challenge: string) => ({ tokenHash: sha256(challenge), expiresAt: { [Op.gt]: new Date() } });
  return {
    async issue(userId) {
      // Challenges abandoned before their expiry go here, so the table holds only live ones and a few more.
      await MfaChallenge.destroy({ where: { expiresAt: { [Op.lte]: new Date() } } });
      const challenge = newOpaqueToken();
      const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
      await MfaChallenge.create({ tokenHash: sha256(challenge), userId, expiresAt });
      return challenge;
    },
    async userOf(challenge) {
      const row = await MfaChallenge.findOne({ where: live(challenge), attributes: ['userId'], raw: true });
      return row?.userId;
    },
    // One DELETE: of two requests spending the same challenge, PostgreSQL lets exactly one delete the row.
    consume: async (challenge, userId) =>
      (await MfaChallenge.destroy({ where: { ...live(challenge), userId } })) === 1,
  };
}
