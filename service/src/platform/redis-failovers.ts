import type { Redis } from 'ioredis';
import type { Metrics } from '../observability/metrics';

/**
 * Counts failovers: the connection becoming ready on another server than the one it last used. ioredis
 * reports no Sentinel switch of its own (on +switch-master its failover detector only disconnects, and
 * the reconnect asks the Sentinels anew), and a managed Redis fails over behind one DNS name; either way
 * the socket's peer changes. A restart of the same server is a reconnection, not a failover.
 */
export function countRedisFailovers(redis: Redis, metrics: Metrics): void {
  let server: string | undefined;
  redis.on('ready', () => {
    const peer = `${redis.stream.remoteAddress ?? ''}:${redis.stream.remotePort ?? ''}`;
    if (server !== undefined && peer !== server) metrics.redis.failovers.inc();
    server = peer;
  });
}
