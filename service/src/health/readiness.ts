import type { Sequelize } from 'sequelize';
import type { Migrator } from '../../../db/migrator';
import type { Cache } from '../platform/cache';
import { isDatabaseReachable } from '../platform/db';
import type { ReadinessCheck } from './routes';

// Asking umzug for pending migrations costs several catalog queries; probes come every few seconds from
// every load balancer. A schema seen complete stays complete (migrations only move forward while
// instances run), so that answer is trusted for a while.
const MIGRATED_TRUSTED_FOR_MS = 30_000;

export interface ReadinessDeps {
  readonly sequelize: Sequelize;
  readonly migrator: Pick<Migrator, 'pending'>;
  readonly cache: Pick<Cache, 'ping'>;
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
  return async () => {
    if (deps.isShuttingDown()) return 'shutting_down';
    if (!(await isDatabaseReachable(deps.sequelize))) return 'database_unreachable';
    if (!(await isMigrated())) return 'migrations_pending';
    if (!(await deps.cache.ping())) return 'cache_unreachable';
    return undefined;
  };
}
