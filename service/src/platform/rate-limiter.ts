import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Cache } from './cache';

/**
 * A budget of `points` per `duration` seconds per key. Redis when configured (shared by every instance,
 * with an in-memory stand-in while Redis is down), memory otherwise.
 */
export function createRateLimiter(
  cache: Pick<Cache, 'redis'>,
  keyPrefix: string,
  points: number,
  duration: number,
): RateLimiterAbstract {
  const options = { keyPrefix, points, duration };
  if (!cache.redis) return new RateLimiterMemory(options);
  return new RateLimiterRedis({
    ...options,
    storeClient: cache.redis,
    insuranceLimiter: new RateLimiterMemory(options),
  });
}
