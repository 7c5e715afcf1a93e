import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Cache } from '../platform/cache';
import { createRateLimiter } from '../platform/rate-limiter';
import { tooManyRequests } from '../platform/errors';
import type { AuthConfig } from './config';
import { sha256 } from './hashing';
import { normalizeEmail } from './model';

/** What one call to a throttle concluded, so the caller can count it and record a security event. */
export const LOCKOUT_SCOPES = ['account', 'address'] as const;

export interface Lockout {
  readonly scope: (typeof LOCKOUT_SCOPES)[number];
  readonly seconds: number;
}

export interface Throttle {
  /** Spends one attempt of the source address; throws 429 once its budget for the window is spent. */
  spendAddress(ip: string, onLockout: (lockout: Lockout) => Promise<void>): Promise<void>;
  /** Throws 429 while the account is locked. */
  assertAccountOpen(account: string): Promise<void>;
  /** Counts a failed password or MFA attempt; locks the account once failures reach the limit. */
  recordFailure(account: string): Promise<Lockout | undefined>;
  recordSuccess(account: string): Promise<void>;
}

/** Accounts are keyed by a hash of the email: the same for unknown emails, and no email in Redis keys. */
export const accountKey = (email: string): string => sha256(normalizeEmail(email));

const DAY_SECONDS = 86_400;
const retryAfter = (msBeforeNext: number) => Math.max(1, Math.ceil(msBeforeNext / 1000));

/**
 * Per address: a budget of attempts per window. Per account: consecutive failures (password and MFA
 * alike) lock it; each lockout within a day doubles the next one (60 s, 120 s, ... up to the maximum).
 * Redis when configured (shared by every instance, with an in-memory stand-in while Redis is down).
 */
export function createThrottle(cache: Cache, limits: AuthConfig['rateLimits']): Throttle {
  const limiter = (keyPrefix: string, points: number, duration: number) =>
    createRateLimiter(cache, keyPrefix, points, duration);
  const addresses = limiter('rl:address', limits.addressPoints, limits.addressWindowSeconds);
  const failures = limiter('rl:account-failures', limits.accountFailures, limits.accountWindowSeconds);
  const lockouts = limiter('rl:account-lockouts', Number.MAX_SAFE_INTEGER, DAY_SECONDS);

  return {
    async spendAddress(ip, onLockout) {
      try {
        await addresses.consume(ip);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const seconds = retryAfter(rejection.msBeforeNext);
        // Only the first refused attempt of a window is the lockout event; the rest are its echo.
        if (rejection.consumedPoints === limits.addressPoints + 1)
          await onLockout({ scope: 'address', seconds });
        throw tooManyRequests(seconds);
      }
    },
    async assertAccountOpen(account) {
      const state = await failures.get(account);
      if (state && state.consumedPoints > limits.accountFailures)
        throw tooManyRequests(retryAfter(state.msBeforeNext), 'account_locked');
    },
    async recordFailure(account) {
      const state = await failures.consume(account).catch((rejection: unknown) => {
        if (rejection instanceof RateLimiterRes) return rejection;
        throw rejection;
      });
      if (state.consumedPoints < limits.accountFailures) return undefined;
      const { consumedPoints: lockoutNumber } = await lockouts.consume(account);
      const seconds = Math.min(limits.lockoutSeconds * 2 ** (lockoutNumber - 1), limits.lockoutMaxSeconds);
      await failures.block(account, seconds);
      return { scope: 'account', seconds };
    },
    async recordSuccess(account) {
      await Promise.all([failures.delete(account), lockouts.delete(account)]);
    },
  };
}
