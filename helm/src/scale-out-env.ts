import type { Values } from './chart-structure';

// What templates/_helpers.tpl (carewatch.env and carewatch.dataStoreSecretKeys) makes of the scale-out
// values. Without a helm binary the chart is checked statically: the chart test holds the template to
// these names and gives the result to the service's own configuration loader.

interface ScaleOutValues {
  database: { pooler: string; readReplicas: { enabled: boolean; stickyMs: number; maxLagMs: number } };
  redis: { sentinel: { hosts: string[]; name: string } };
}

/** The plain variables the chart sets from `database` and `redis`. */
export function scaleOutVariables(values: Values): Record<string, string> {
  const { database, redis } = values as unknown as ScaleOutValues;
  return {
    DATABASE_POOLER: database.pooler,
    ...(database.readReplicas.enabled
      ? {
          REPLICA_STICKY_MS: String(database.readReplicas.stickyMs),
          REPLICA_MAX_LAG_MS: String(database.readReplicas.maxLagMs),
        }
      : {}),
    ...(redis.sentinel.hosts.length > 0
      ? { REDIS_SENTINELS: redis.sentinel.hosts.join(','), REDIS_SENTINEL_NAME: redis.sentinel.name }
      : {}),
  };
}

/** The Secret keys those values need besides `secret.keys` (URLs that carry credentials). */
export function scaleOutSecretKeys(values: Values): string[] {
  const { database } = values as unknown as ScaleOutValues;
  return [
    ...(database.pooler === 'pgbouncer' ? ['DATABASE_DIRECT_URL'] : []),
    ...(database.readReplicas.enabled ? ['DATABASE_REPLICA_URLS'] : []),
  ];
}
