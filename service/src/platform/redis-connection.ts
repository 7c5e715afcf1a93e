import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { countRedisCommandErrors } from './redis-errors';
import { countRedisFailovers } from './redis-failovers';

export interface RedisSettings {
  readonly url: string | undefined;
  /** Sentinels to ask for the current primary; when set, `url` only supplies credentials and db. */
  readonly sentinels: readonly { readonly host: string; readonly port: number }[];
  readonly sentinelName: string;
  readonly keyPrefix: string;
  /** A command without an answer after this long fails, so a Redis that hangs costs a request this much. */
  readonly commandTimeoutMs: number;
}

/** A Redis connection is configured when a URL or Sentinels are given. */
export const redisConfigured = (settings: RedisSettings): boolean =>
  Boolean(settings.url) || settings.sentinels.length > 0;

function optionsFor(settings: RedisSettings): RedisOptions {
  const common: RedisOptions = {
    keyPrefix: settings.keyPrefix,
    // Fail at once while disconnected instead of queueing: the callers degrade, they never wait for Redis.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: settings.commandTimeoutMs,
    // Reconnects forever, backing off to 2 s: Redis coming back is noticed within that.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  };
  if (settings.sentinels.length === 0) return common;
  const credentials = settings.url ? new URL(settings.url) : undefined;
  return {
    ...common,
    sentinels: settings.sentinels.map((sentinel) => ({ ...sentinel })),
    name: settings.sentinelName,
    // Subscribes to the Sentinels' +switch-master, so a failover reconnects at once, not on the next error.
    failoverDetector: true,
    sentinelRetryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    password: credentials?.password ? decodeURIComponent(credentials.password) : undefined,
    db: credentials && credentials.pathname.length > 1 ? Number(credentials.pathname.slice(1)) : undefined,
  };
}

/**
 * Opens the connection and keeps `carewatch_redis_up` and the reconnection count current. `onReady`
 * runs each time the connection becomes usable again, before the gauge says so.
 */
export function connectRedis(
  settings: RedisSettings,
  metrics: Metrics,
  logger: Logger,
  onReady: () => Promise<void>,
): Redis {
  const redis =
    settings.url && settings.sentinels.length === 0
      ? new Redis(settings.url, optionsFor(settings))
      : new Redis(optionsFor(settings));
  countRedisCommandErrors(redis, metrics);
  countRedisFailovers(redis, metrics);
  let everReady = false;
  let up = false;
  metrics.redis.up.set(0);
  redis.on('ready', () => {
    if (everReady) metrics.redis.reconnections.inc();
    everReady = true;
    void onReady().finally(() => {
      up = true;
      metrics.redis.up.set(1);
      logger.info('redis is available');
    });
  });
  redis.on('close', () => {
    if (up)
      logger.warn('redis is unavailable: serving without it (sessions from PostgreSQL, local rate limits)');
    up = false;
    metrics.redis.up.set(0);
  });
  redis.on('error', (error: Error) => logger.debug('redis error', { error: error.message }));
  return redis;
}
