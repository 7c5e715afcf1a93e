import type { Sequelize } from 'sequelize';
import type { Migrator } from '../../../db/migrator';
import type { Cache } from '../platform/cache';
import type { ReplicaSet } from '../platform/replica-set';
import { isDatabaseReachable } from '../platform/db';
import type { ReadinessCheck } from './routes';

/*
 * Readiness says whether this instance can serve. Redis and the read replicas are shared by every instance
 * and the service runs without them (sessions from PostgreSQL, local rate limits, reads from the primary),
 * so their loss shows as `degraded` in the body: a 503 for it would empty the load balancer at once.
 */

// Asking umzug for pending migrations costs several catalog queries; probes come every few seconds from
// every load balancer. A schema seen complete stays complete (migrations only move forward while
// instances run), so that answer is trusted for a while.
const MIGRATED_TRUSTED_FOR_MS = 30_000;

export interface ReadinessDeps {
  readonly sequelize: Sequelize;
  readonly migrator: Pick<Migrator, 'pending'>;
  readonly cache: Pick<Cache, 'ping'>;
  readonly replicas: Pick<ReplicaSet, 'degraded'>;
  readonly isShuttingDown: () => boolean;
}

export function createReadinessCheck(deps: ReadinessDeps): ReadinessCheck {
  let migratedAt = Number.NEGATIVE_INFINITY;
  const isMigrated = async () => {
    if (Date.now() - migratedAt < MIGRATED_TRUSTED_FOR_MS) return true;
    const pending = await deps.migrator.pending().catch(() => ['unknown']);
    if (pending.length === 0) migratedAt = Date.now();
    return pending.length === 0;
  };
  const unavailable = async () => {
    if (deps.isShuttingDown()) return 'shutting_down';
    if (!(await isDatabaseReachable(deps.sequelize))) return 'database_unreachable';
    if (!(await isMigrated())) return 'migrations_pending';
    return undefined;
  };
  return async () => {
    const [reason, redisUp] = await Promise.all([unavailable(), deps.cache.ping()]);
    const degraded = [...(redisUp ? [] : ['redis']), ...(deps.replicas.degraded() ? ['replica'] : [])];
    return { unavailable: reason, degraded };
  };
}
