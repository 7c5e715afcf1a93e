import { QueryTypes, type Sequelize } from 'sequelize';
import { newOpaqueToken, sha256 } from './hashing';

/**
 * The state between a correct password and a correct second factor: not a session, just a short-lived
 * bearer secret naming the user. It is kept in PostgreSQL (migration 0016), not in Redis: it exists
 * nowhere else, so an MFA login must not depend on Redis being reachable, and every instance sees it.
 * Only its hash is stored, so the table never holds a usable token. Expiry is PostgreSQL's clock, the
 * same for every instance.
 */
export interface MfaChallenges {
  issue(userId: string): Promise<string>;
  /** The user a live challenge names; undefined when it is unknown, spent or expired. */
  userOf(challenge: string): Promise<string | undefined>;
  /** Spends a live challenge of `userId`: true for exactly one caller, however many present it at once. */
  consume(challenge: string, userId: string): Promise<boolean>;
}

export function createMfaChallenges(sequelize: Sequelize, ttlSeconds: number): MfaChallenges {
  const rows = (sql: string, bind: unknown[]) =>
    sequelize.query<{ user_id: string }>(sql, { bind, type: QueryTypes.SELECT });
  return {
    async issue(userId) {
      const challenge = newOpaqueToken();
      // Challenges abandoned before their expiry go here, so the table holds only live ones and a few more.
      await sequelize.query(
        `WITH expired AS (DELETE FROM mfa_challenges WHERE expires_at <= now())
         INSERT INTO mfa_challenges (token_hash, user_id, expires_at)
         VALUES ($1, $2, now() + make_interval(secs => $3))`,
        { bind: [sha256(challenge), userId, ttlSeconds] },
      );
      return challenge;
    },
    async userOf(challenge) {
      const [row] = await rows(
        'SELECT user_id FROM mfa_challenges WHERE token_hash = $1 AND expires_at > now()',
        [sha256(challenge)],
      );
      return row?.user_id;
    },
    async consume(challenge, userId) {
      const spent = await rows(
        `DELETE FROM mfa_challenges WHERE token_hash = $1 AND user_id = $2 AND expires_at > now()
         RETURNING user_id`,
        [sha256(challenge), userId],
      );
      return spent.length === 1;
    },
  };
}
