import type { Redis } from 'ioredis';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { connectRedis, redisConfigured, type RedisSettings } from './redis-connection';

/**
 * The `cache` label of carewatch_cache_requests_total: every cache is named here, so the label stays
 * bounded (caches with in-process copies also count those as `<name>_local`, see invalidated-cache.ts).
 * The README's Observability section lists them for the dashboards and alerts.
 */
export type CacheName = 'session' | 'provider_profile' | 'external_jwks' | 'read_your_writes';

/**
 * A small key-value cache with expiry. Redis when REDIS_URL or REDIS_SENTINELS is set (shared by every
 * instance); otherwise in-process, which is right for one instance and wrong for several. Redis being
 * unreachable never fails a caller of get, set or delete: the service then runs degraded on PostgreSQL.
 * So nothing that exists only here is kept here: what must survive (sessions, MFA challenges) is in
 * PostgreSQL.
 */
export interface Cache {
  readonly backend: 'redis' | 'memory';
  /** The Redis connection, for libraries that need it (rate limiting); undefined in memory. */
  readonly redis: Redis | undefined;
  get(cache: CacheName, key: string): Promise<string | undefined>;
  /** A cache fill: skipped (and counted) while Redis is unreachable. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Dropped now, or once Redis is back if it is unreachable now. */
  delete(key: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

interface Store {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}

function memoryStore(): Store {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  return {
    get: async (key) => {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt > Date.now()) return entry.value;
      entries.delete(key);
      return undefined;
    },
    set: async (key, value, ttlSeconds) => {
      entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
    },
    delete: async (key) => {
      entries.delete(key);
    },
  };
}

/**
 * Redis as a cache that may be gone: a failed read is a miss, a failed fill is skipped, each counted as
 * degraded. A failed delete is an invalidation Redis never saw; it is kept and replayed when Redis is back,
 * before anything is read from it again, so an entry written before the outage cannot outlive its change.
 * Every command touches one key, so the keys need no hash tags to work on Redis Cluster; a command that
 * touched several would have to put them in one slot (`{tag}` in each key).
 */
function degradingRedisStore(
  redis: Redis,
  metrics: Metrics,
): Store & { replayMissedDeletes(): Promise<void> } {
  const missedDeletes = new Set<string>();
  let replaying: Promise<void> = Promise.resolve();
  const degraded = (operation: 'get' | 'set' | 'delete') =>
    metrics.redis.degradedOperations.inc({ operation });
  return {
    get: async (key) => {
      await replaying;
      try {
        return (await redis.get(key)) ?? undefined;
      } catch {
        degraded('get');
        return undefined;
      }
    },
    set: async (key, value, ttlSeconds) => {
      try {
        await redis.set(key, value, 'EX', ttlSeconds);
      } catch {
        degraded('set');
      }
    },
    delete: async (key) => {
      try {
        await redis.del(key);
        missedDeletes.delete(key);
      } catch {
        degraded('delete');
        missedDeletes.add(key);
      }
    },
    replayMissedDeletes() {
      replaying = (async () => {
        const keys = [...missedDeletes];
        if (keys.length === 0) return;
        // One key per DEL (see above); pipelined, so the replay is one round trip.
        const results = await redis
          .pipeline(keys.map((key) => ['del', key]))
          .exec()
          .catch(() => null);
        keys.forEach((key, index) => {
          if (results?.[index]?.[0] === null) missedDeletes.delete(key);
        });
      })();
      return replaying;
    },
  };
}

export function createCache(settings: RedisSettings, metrics: Metrics, logger: Logger): Cache {
  let redisStore: ReturnType<typeof degradingRedisStore> | undefined;
  const redis = redisConfigured(settings)
    ? connectRedis(settings, metrics, logger, () => redisStore?.replayMissedDeletes() ?? Promise.resolve())
    : undefined;
  if (redis) redisStore = degradingRedisStore(redis, metrics);
  else
    logger.warn(
      'REDIS_URL is not set: using an in-process cache and rate limits; several instances need Redis',
    );
  const store: Store = redisStore ?? memoryStore();
  const backend = redis ? 'redis' : 'memory';

  const timed = async <T>(work: () => Promise<T>): Promise<T> => {
    const end = metrics.cache.operationDuration.startTimer({ backend });
    try {
      return await work();
    } finally {
      end();
    }
  };

  return {
    backend,
    redis,
    async get(cache, key) {
      const value = await timed(() => store.get(key));
      metrics.cache.requests.inc({ cache, result: value === undefined ? 'miss' : 'hit' });
      return value;
    },
    set: (key, value, ttlSeconds) => timed(() => store.set(key, value, ttlSeconds)),
    delete: (key) => timed(() => store.delete(key)),
    async ping() {
      if (!redis) return true;
      try {
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
