import type { Sequelize } from 'sequelize';
import type { Migrator } from '../../../db/migrator';
import type { Cache } from '../platform/cache';
import type { ReplicaSet } from '../platform/replica-set';
import { databaseReachability } from '../platform/db';
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
  const isMigrated = async (busy: boolean) => {
    if (Date.now() - migratedAt < MIGRATED_TRUSTED_FOR_MS) return true;
    // A full pool could not answer the question: an instance seen ready before the burst stays so.
    if (busy && migratedAt > Number.NEGATIVE_INFINITY) return true;
    const pending = await deps.migrator.pending().catch(() => ['unknown']);
    if (pending.length === 0) migratedAt = Date.now();
    return pending.length === 0;
  };
  const unavailable = async (database: Promise<string>) => {
    if (deps.isShuttingDown()) return 'shutting_down';
    const state = await database;
    if (state === 'unreachable') return 'database_unreachable';
    if (!(await isMigrated(state === 'busy'))) return 'migrations_pending';
    return undefined;
  };
  return async () => {
    const database = databaseReachability(deps.sequelize);
    const [reason, redisUp, databaseState] = await Promise.all([
      unavailable(database),
      deps.cache.ping(),
      database,
    ]);
    const degraded = [
      ...(redisUp ? [] : ['redis']),
      ...(deps.replicas.degraded() ? ['replica'] : []),
      ...(databaseState === 'busy' ? ['database_pool'] : []),
    ];
    return { unavailable: reason, degraded };
  };
}
