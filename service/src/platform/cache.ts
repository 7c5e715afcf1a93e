import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';

/**
 * A small key-value cache with expiry. Redis when REDIS_URL is set (shared by every instance);
 * otherwise in-process, which is right for one instance and wrong for several.
 */
export interface Cache {
  readonly backend: 'redis' | 'memory';
  /** The Redis connection, for libraries that need it (rate limiting); undefined in memory. */
  readonly redis: Redis | undefined;
  get(cache: string, key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
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

function redisStore(redis: Redis): Store {
  return {
    get: async (key) => (await redis.get(key)) ?? undefined,
    set: async (key, value, ttlSeconds) => {
      await redis.set(key, value, 'EX', ttlSeconds);
    },
    delete: async (key) => {
      await redis.del(key);
    },
  };
}

export function createCache(
  options: { url: string | undefined; keyPrefix: string },
  metrics: Metrics,
  logger: Logger,
): Cache {
  const redis = options.url
    ? new Redis(options.url, {
        keyPrefix: options.keyPrefix,
        maxRetriesPerRequest: 2,
        enableOfflineQueue: false,
        lazyConnect: false,
      })
    : undefined;
  if (redis) redis.on('error', (error: Error) => logger.warn('redis error', { error: error.message }));
  else
    logger.warn(
      'REDIS_URL is not set: using an in-process cache and rate limits; several instances need Redis',
    );
  const backend = redis ? 'redis' : 'memory';
  const store = redis ? redisStore(redis) : memoryStore();

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
