import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Cache, CacheName } from './cache';
import { listenForChanges } from './change-announcements';

/**
 * A read-through cache of JSON values kept by id, whose entries every instance drops at once when one of
 * them announces a change. PostgreSQL holds the truth: a value is loaded from it on a miss, and with
 * Redis unreachable every read loads it (the cache is bypassed, never wrong).
 */
export interface InvalidatedCache<T> {
  /** The cached value, else `load()`'s answer, which is then cached for `ttlSeconds`. */
  read(id: string, load: () => Promise<T | undefined>, ttlSeconds: number): Promise<T | undefined>;
  /**
   * The copy this instance keeps in memory, when it has a current one, without waiting: the hot path of
   * every authenticated request answers from it without a promise. On undefined, `read` loads it.
   */
  kept(id: string): T | undefined;
  /**
   * Drops entries from the cache of every instance; resolves once every instance has dropped them (or
   * has not confirmed within CONFIRMATION_TIMEOUT_MS, see change-announcements.ts).
   */
  forget(ids: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface InvalidatedCacheOptions {
  /**
   * Names the keys (`<name>:<id>`), the change channel and the `cache` label of
   * carewatch_cache_requests_total (`<name>` for the shared cache, `<name>_local` for the memory).
   * Ids only in keys: no PHI, no names.
   */
  readonly name: CacheName;
  /** How long an instance keeps a value in memory at most, even while no change is announced. */
  readonly localTtlMs: number;
  /** Values kept in memory at most; the oldest entry makes room. */
  readonly localMaxEntries: number;
}

type SharedOnly<T> = Omit<InvalidatedCache<T>, 'read' | 'kept'> & {
  /** `stillCurrent()` false after the load: a change was announced meanwhile, so the value is not kept. */
  read(
    id: string,
    load: () => Promise<T | undefined>,
    ttlSeconds: number,
    stillCurrent?: () => boolean,
  ): Promise<T | undefined>;
};

/**
 * The shared cache only (Redis, or the in-process store when there is no Redis and thus one instance):
 * a value is read from it and parsed on every read.
 */
function sharedOnly<T>(cache: Cache, name: CacheName): SharedOnly<T> {
  const keyOf = (id: string) => `${name}:${id}`;
  return {
    async read(id, load, ttlSeconds, stillCurrent = () => true) {
      const cached = await cache.get(name, keyOf(id));
      if (cached !== undefined) return JSON.parse(cached) as T;
      const value = await load();
      if (value !== undefined && stillCurrent())
        await cache.set(keyOf(id), JSON.stringify(value), ttlSeconds);
      return value;
    },
    async forget(ids) {
      await Promise.all(ids.map((id) => cache.delete(keyOf(id))));
    },
    close: async () => undefined,
  };
}

/**
 * With Redis, each instance also keeps the values it read in memory for a few seconds, which takes the
 * Redis round trip and the parse off nearly every read. Every change is announced on a Redis channel
 * (after the shared entry is deleted); every instance drops its copy when the announcement arrives and
 * confirms it, and the change waits for those confirmations (change-announcements.ts), so the next
 * request to any instance sees it.
 *
 * The memory is used only while this instance is subscribed: an announcement missed during a disconnect
 * would leave a stale copy alive, so losing the subscription empties the memory and reads go to the
 * shared cache until the subscription is back. A read that started before an announcement does not keep
 * what it read in memory (it may predate the change): each announcement advances a generation.
 */
function withLocalCopies<T>(
  cache: Cache,
  redis: Redis,
  options: InvalidatedCacheOptions,
  logger: Logger,
  metrics: Metrics,
): InvalidatedCache<T> {
  const { name, localTtlMs, localMaxEntries } = options;
  const shared = sharedOnly<T>(cache, name);
  const localLabel = `${name}_local`;
  const local = new Map<string, { value: T; until: number }>();
  let generation = 0;
  const drop = (ids: readonly string[]) => {
    generation += 1;
    for (const id of ids) local.delete(id);
  };
  const announcements = listenForChanges(
    redis,
    name,
    {
      changed: drop,
      unsubscribed() {
        generation += 1;
        local.clear();
      },
    },
    logger,
    metrics,
  );

  /**
   * Announces changes to every instance. An announcement Redis did not take never fails the change
   * (PostgreSQL holds the truth, and this instance has dropped its copy already): it is counted, kept and
   * made again once Redis is back, after deleting the shared entries again, so the order stays delete then
   * announce. Other instances lost their subscription too if Redis was down for them, which empties their
   * memory; if only this instance lost Redis, their copies still end within localTtlMs.
   */
  const missedAnnouncements = new Set<string>();
  const announce = async (ids: readonly string[]) => {
    try {
      await announcements.announce(ids);
      for (const id of ids) missedAnnouncements.delete(id);
    } catch (error) {
      metrics.redis.degradedOperations.inc({ operation: 'publish' });
      logger.warn('could not announce a change; it is announced again once Redis is back', {
        cache: name,
        error: (error as Error).message,
      });
      for (const id of ids) missedAnnouncements.add(id);
    }
  };
  redis.on('ready', () => {
    const ids = [...missedAnnouncements];
    if (ids.length === 0) return;
    void shared.forget(ids).then(() => announce(ids));
  });

  const kept = (id: string): T | undefined => {
    const copy = announcements.listening ? local.get(id) : undefined;
    if (!copy || copy.until <= Date.now()) return undefined;
    metrics.cache.requests.inc({ cache: localLabel, result: 'hit' });
    return copy.value;
  };

  return {
    kept,
    async read(id, load, ttlSeconds) {
      const copy = kept(id);
      if (copy !== undefined) return copy;
      metrics.cache.requests.inc({ cache: localLabel, result: 'miss' });
      const now = Date.now();
      // A load that raced a change may have read the row before it: neither the shared cache nor the
      // memory keeps it if the change was announced meanwhile. (One whose announcement arrives after the
      // fill can still leave the old value in the shared cache: its TTL bounds that, so keep it short.)
      const readAt = generation;
      const unchanged = () => readAt === generation;
      const value = await shared.read(id, load, ttlSeconds, unchanged);
      if (value !== undefined && announcements.listening && unchanged()) {
        if (local.size >= localMaxEntries) local.delete(local.keys().next().value!);
        local.set(id, { value, until: now + Math.min(localTtlMs, ttlSeconds * 1000) });
      }
      return value;
    },
    async forget(ids) {
      if (ids.length === 0) return;
      drop(ids);
      await shared.forget(ids);
      await announce(ids);
    },
    close: () => announcements.close(),
  };
}

export function createInvalidatedCache<T>(
  cache: Cache,
  options: InvalidatedCacheOptions,
  logger: Logger,
  metrics: Metrics,
): InvalidatedCache<T> {
  if (cache.redis) return withLocalCopies<T>(cache, cache.redis, options, logger, metrics);
  // One instance without Redis: its shared cache is its memory already, read through `read`.
  return { ...sharedOnly<T>(cache, options.name), kept: () => undefined };
}
