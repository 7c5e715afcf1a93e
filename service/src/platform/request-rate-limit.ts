import type { Middleware } from 'koa';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Cache } from './cache';
import { tooManyRequests } from './errors';
import { createRateLimiter } from './rate-limiter';

export interface RequestRateLimit {
  /** Requests one client address may make per window. */
  readonly points: number;
  readonly windowSeconds: number;
}

/** The headers of draft-ietf-httpapi-ratelimit-headers, which the OpenAPI document declares. */
export const RATE_LIMIT_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] as const;

/** Probes of the orchestrator and the scraper: never limited, or an overloaded API would look dead. */
const UNLIMITED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Every request spends one point of its client address (the proxy's X-Forwarded-For when TRUST_PROXY
 * is set); past the budget the answer is 429 with Retry-After. Every answer says what is left.
 */
export function requestRateLimit(cache: Pick<Cache, 'redis'>, limit: RequestRateLimit): Middleware {
  const limiter = createRateLimiter(cache, 'rl:requests', limit.points, limit.windowSeconds);
  return async (ctx, next) => {
    if (UNLIMITED_PATHS.has(ctx.path)) {
      await next();
      return;
    }
    let state: RateLimiterRes;
    let refused = false;
    try {
      state = await limiter.consume(ctx.ip);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      state = rejection;
      refused = true;
    }
    const resetSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    const [limitHeader, remainingHeader, resetHeader] = RATE_LIMIT_HEADERS;
    ctx.set(limitHeader, String(limit.points));
    ctx.set(remainingHeader, String(Math.max(0, state.remainingPoints)));
    ctx.set(resetHeader, String(resetSeconds));
    if (refused) throw tooManyRequests(resetSeconds);
    await next();
  };
}
