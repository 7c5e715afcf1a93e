import type { Cache } from '../platform/cache';
import { newOpaqueToken, sha256 } from './hashing';

/**
 * The state between a correct password and a correct second factor: not a session, just a short-lived
 * bearer secret naming the user. Only its hash is a cache key, so the cache never holds a usable token.
 */
export interface MfaChallenges {
  issue(userId: string): Promise<string>;
  userOf(challenge: string): Promise<string | undefined>;
  consume(challenge: string): Promise<void>;
}

export function createMfaChallenges(cache: Cache, ttlSeconds: number): MfaChallenges {
  const key = (challenge: string) => `mfa-challenge:${sha256(challenge)}`;
  return {
    async issue(userId) {
      const challenge = newOpaqueToken();
      await cache.store(key(challenge), userId, ttlSeconds);
      return challenge;
    },
    userOf: (challenge) => cache.get('mfa_challenge', key(challenge)),
    consume: (challenge) => cache.delete(key(challenge)),
  };
}
