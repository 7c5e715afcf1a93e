import argon2 from 'argon2';
import pLimit from 'p-limit';

/** OWASP's argon2id recommendation (m = 19 MiB, t = 2, p = 1): about 19 ms of one core per hash here. */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * True when `password` matches `hash`. Without a hash (unknown account, or one without a password) it
   * still spends one verification on a dummy hash, so the answer takes as long either way and reveals
   * nothing about which accounts exist.
   */
  verify(hash: string | null | undefined, password: string): Promise<boolean>;
}

/**
 * argon2 runs on libuv's thread pool, never on the event loop. The limit keeps a login storm from
 * occupying every pool thread (file and DNS work share them): hashes queue here instead.
 */
export function createPasswordHasher(concurrency: number): PasswordHasher {
  const limit = pLimit(concurrency);
  const hash = (password: string) => limit(() => argon2.hash(password, ARGON2_OPTIONS));
  let dummyHash: Promise<string> | undefined;
  return {
    hash,
    async verify(stored, password) {
      if (stored) return limit(() => argon2.verify(stored, password));
      dummyHash ??= hash('carewatch-dummy-password-for-timing');
      const dummy = await dummyHash;
      await limit(() => argon2.verify(dummy, password));
      return false;
    },
  };
}
