import argon2 from 'argon2';
import pLimit from 'p-limit';
import { AppError } from '../platform/errors';

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

/** Refused at once rather than queued: the wait would outlast what a client waits for an answer. */
export const passwordHashingOverloaded = () =>
  new AppError(503, 'password_hashing_overloaded', 'Service Unavailable', {
    detail: 'Too many sign-ins at once; retry in a moment.',
    headers: { 'Retry-After': '1' },
  });

/** How much one new hash weighs in the running average of hash times. */
const AVERAGE_WEIGHT = 0.1;

/**
 * argon2 runs on libuv's thread pool, never on the event loop. The limit keeps a login storm from
 * occupying every pool thread (file and DNS work share them): hashes queue here instead. With
 * `maxWaitMs`, a hash whose expected wait (queue ahead of it × the running average hash time, per
 * slot) exceeds it is refused with 503: an unbounded queue turns an overload into a collapse where
 * every login waits past its client's timeout and none succeeds; a bounded one keeps serving at capacity.
 */
export function createPasswordHasher(concurrency: number, maxWaitMs = Infinity): PasswordHasher {
  const limit = pLimit(concurrency);
  let averageMs = 20;
  const run = <T>(work: () => Promise<T>): Promise<T> => {
    const ahead = limit.activeCount + limit.pendingCount;
    if (ahead >= concurrency && Math.floor(ahead / concurrency) * averageMs > maxWaitMs)
      return Promise.reject(passwordHashingOverloaded());
    return limit(async () => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        averageMs += AVERAGE_WEIGHT * (performance.now() - started - averageMs);
      }
    });
  };
  const hash = (password: string) => run(() => argon2.hash(password, ARGON2_OPTIONS));
  let dummyHash: Promise<string> | undefined;
  return {
    hash,
    async verify(stored, password) {
      if (stored) return run(() => argon2.verify(stored, password));
      dummyHash ??= hash('carewatch-dummy-password-for-timing');
      const dummy = await dummyHash;
      await run(() => argon2.verify(dummy, password));
      return false;
    },
  };
}
