import type { Middleware } from 'koa';
import { createBatchedRateLimit, type BatchedRateLimit, type SharedCounts } from './batched-rate-limit';
import { tooManyRequests } from './errors';

export interface RequestRateLimit {
  /** Requests one client address may make per window. */
  readonly points: number;
  readonly windowSeconds: number;
  /** How often an instance adds its counts to the shared ones in Redis (see batched-rate-limit.ts). */
  readonly flushIntervalMs: number;
}

/** The headers of draft-ietf-httpapi-ratelimit-headers, which the OpenAPI document declares. */
export const RATE_LIMIT_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] as const;

/** Probes of the orchestrator and the scraper: never limited, or an overloaded API would look dead. */
const UNLIMITED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** Client addresses an instance tracks per window at most (a few MB), whatever addresses a flood sprays. */
const MAX_TRACKED_ADDRESSES = 100_000;

/**
 * The request budget of client addresses: shared by every instance through Redis when given (counted in
 * memory and sent in batches, so approximate across instances: see batched-rate-limit.ts), in memory
 * otherwise. close() sends what is left.
 */
export function createRequestBudget(limit: RequestRateLimit, shared?: SharedCounts): BatchedRateLimit {
  return createBatchedRateLimit(
    {
      keyPrefix: 'rl:requests',
      points: limit.points,
      windowSeconds: limit.windowSeconds,
      flushIntervalMs: limit.flushIntervalMs,
      maxKeys: MAX_TRACKED_ADDRESSES,
    },
    shared,
  );
}

/**
 * Every request spends one point of its client address (the proxy's X-Forwarded-For when TRUST_PROXY
 * is set); past the budget the answer is 429 with Retry-After. Every answer says what is left. The
 * decision is this instance's, in memory: no request waits for Redis.
 */
export function requestRateLimit(budget: BatchedRateLimit): Middleware {
  const [limitHeader, remainingHeader, resetHeader] = RATE_LIMIT_HEADERS;
  const limitValue = String(budget.points);
  // Not async: nothing waits here, so the layer adds no promise of its own.
  return (ctx, next) => {
    if (UNLIMITED_PATHS.has(ctx.path)) return next();
    const spent = budget.spend(ctx.ip);
    const resetSeconds = Math.max(1, Math.ceil(spent.msBeforeReset / 1000));
    ctx.set(limitHeader, limitValue);
    ctx.set(remainingHeader, String(spent.remaining));
    ctx.set(resetHeader, String(resetSeconds));
    if (!spent.admitted) throw tooManyRequests(resetSeconds);
    return next();
  };
}
