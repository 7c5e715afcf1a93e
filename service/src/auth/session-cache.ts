import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Cache } from '../platform/cache';
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

export interface SessionCache {
  /** The cached session, else `load()`'s answer, which is then cached for `ttlSeconds`. */
  read(
    sessionId: string,
    load: () => Promise<CachedSession | undefined>,
    ttlSeconds: number,
  ): Promise<CachedSession | undefined>;
  /** Drops sessions from the cache of every instance; resolves once every instance has been told. */
  forget(sessionIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** How long this instance keeps a session in memory at most, even while no change is announced. */
const LOCAL_TTL_MS = 10_000;
/** Sessions kept in memory at most; the oldest entry makes room. */
const LOCAL_MAX_ENTRIES = 10_000;

const cacheKey = (sessionId: string) => `session:${sessionId}`;

/**
 * The shared cache only (Redis, or the in-process store when there is no Redis and thus one instance):
 * a session is read from it and parsed on every request.
 */
function sharedOnly(cache: Cache): SessionCache {
  return {
    async read(sessionId, load, ttlSeconds) {
      const cached = await cache.get('session', cacheKey(sessionId));
      if (cached !== undefined) return JSON.parse(cached) as CachedSession;
      const session = await load();
      if (session) await cache.set(cacheKey(sessionId), JSON.stringify(session), ttlSeconds);
      return session;
    },
    async forget(sessionIds) {
      await Promise.all(sessionIds.map((id) => cache.delete(cacheKey(id))));
    },
    close: async () => undefined,
  };
}

/**
 * With Redis, each instance also keeps the sessions it saw in memory for a few seconds, which takes the
 * Redis round trip and the parse off nearly every authenticated request. Every change to a session is
 * announced on a Redis channel (after the shared entry is deleted), and every instance drops its copy
 * when the announcement arrives, so a revocation takes effect everywhere at once.
 *
 * The memory is used only while this instance is subscribed: an announcement missed during a disconnect
 * would leave a revoked session alive, so losing the subscription empties the memory and reads go to
 * the shared cache until the subscription is back. A read that started before an announcement does not
 * keep what it read in memory (it may predate the change): each announcement advances a generation.
 */
function withLocalCopies(cache: Cache, redis: Redis, logger: Logger, metrics: Metrics): SessionCache {
  const shared = sharedOnly(cache);
  const channel = `${redis.options.keyPrefix ?? ''}session-changes`;
  const local = new Map<string, { session: CachedSession; until: number }>();
  let subscribed = false;
  let generation = 0;
  const drop = (sessionIds: readonly string[]) => {
    generation += 1;
    for (const id of sessionIds) local.delete(id);
  };
  const unsubscribed = () => {
    subscribed = false;
    generation += 1;
    local.clear();
  };

  const subscriber = redis.duplicate({ autoResubscribe: false, enableOfflineQueue: true });
  subscriber.on('message', (_channel: string, message: string) => drop(message.split(',')));
  subscriber.on('close', unsubscribed);
  subscriber.on('error', (error: Error) =>
    logger.warn('session change subscription error', { error: error.message }),
  );
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => (subscribed = true),
      (error: unknown) =>
        logger.warn('could not subscribe to session changes', { error: (error as Error).message }),
    );
  });

  /**
   * Announces changed sessions to every instance. An announcement Redis did not take never fails the change
   * (PostgreSQL holds the truth, and this instance has dropped its copy already): it is counted, kept and
   * made again once Redis is back, after deleting the shared entries again, so the order stays delete then
   * announce. Other instances lost their subscription too if Redis was down for them, which empties their
   * memory; if only this instance lost Redis, their copies still end within LOCAL_TTL_MS.
   */
  const missedAnnouncements = new Set<string>();
  const announce = async (sessionIds: readonly string[]) => {
    try {
      await redis.publish(channel, sessionIds.join(','));
      for (const id of sessionIds) missedAnnouncements.delete(id);
    } catch (error) {
      metrics.redis.degradedOperations.inc({ operation: 'publish' });
      logger.warn('could not announce a session change; it is announced again once Redis is back', {
        error: (error as Error).message,
      });
      for (const id of sessionIds) missedAnnouncements.add(id);
    }
  };
  redis.on('ready', () => {
    const ids = [...missedAnnouncements];
    if (ids.length === 0) return;
    void shared.forget(ids).then(() => announce(ids));
  });

  return {
    async read(sessionId, load, ttlSeconds) {
      const now = Date.now();
      const kept = subscribed ? local.get(sessionId) : undefined;
      if (kept && kept.until > now) {
        metrics.cache.requests.inc({ cache: 'session_local', result: 'hit' });
        return kept.session;
      }
      metrics.cache.requests.inc({ cache: 'session_local', result: 'miss' });
      const readAt = generation;
      const session = await shared.read(sessionId, load, ttlSeconds);
      if (session && subscribed && readAt === generation) {
        if (local.size >= LOCAL_MAX_ENTRIES) local.delete(local.keys().next().value!);
        local.set(sessionId, { session, until: now + Math.min(LOCAL_TTL_MS, ttlSeconds * 1000) });
      }
      return session;
    },
    async forget(sessionIds) {
      if (sessionIds.length === 0) return;
      drop(sessionIds);
      await shared.forget(sessionIds);
      await announce(sessionIds);
    },
    async close() {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}

export function createSessionCache(cache: Cache, logger: Logger, metrics: Metrics): SessionCache {
  return cache.redis ? withLocalCopies(cache, cache.redis, logger, metrics) : sharedOnly(cache);
}
