import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Cache } from '../platform/cache';
import { createInvalidatedCache, type InvalidatedCache } from '../platform/invalidated-cache';
import type { Aal } from './context';
import type { Role } from './model';

/** What an authenticated request needs of its session, as the cache holds it. */
export interface CachedSession {
  readonly userId: string;
  readonly role: Role;
  readonly aal: Aal;
  readonly stepUpAt: number | null;
  readonly expiresAt: number;
  readonly lastSeenAt: number;
}

/** Sessions by id; a revocation on one instance is a 401 on the next request to any other. */
export type SessionCache = InvalidatedCache<CachedSession>;

/**
 * Every authenticated request reads its session: each instance keeps the ones it saw in memory for
 * 10 s at most (10,000 of them), dropped at once when any instance announces a change.
 */
export function createSessionCache(cache: Cache, logger: Logger, metrics: Metrics): SessionCache {
  return createInvalidatedCache<CachedSession>(
    cache,
    { name: 'session', localTtlMs: 10_000, localMaxEntries: 10_000 },
    logger,
    metrics,
  );
}
