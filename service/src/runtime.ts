import type Koa from 'koa';
import type { Sequelize } from 'sequelize';
import { createMigrator, type Migrator } from '../../db/migrator';
import { createApp } from './app';
import { createAuditTrail, type AuditTrail } from './audit/trail';
import type { Config } from './config';
import { initModels, type Models } from './models';
import type { Logger } from './observability/logger';
import { createMetrics, type Metrics } from './observability/metrics';
import { createCache, type Cache } from './platform/cache';
import { createDatabase, isDatabaseReachable } from './platform/db';
import { createFieldCipher } from './platform/field-cipher';

export interface Runtime {
  readonly app: Koa;
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly sequelize: Sequelize;
  readonly models: Models;
  readonly migrator: Migrator;
  readonly cache: Cache;
  readonly audit: AuditTrail;
  /** True once shutdown began: readiness then fails so the load balancer stops sending traffic. */
  beginShutdown(): void;
  close(): Promise<void>;
}

/** Wires every dependency of the service for one database URL. Opens connections lazily; serves nothing. */
export function createRuntime(config: Config, databaseUrl: string, logger: Logger): Runtime {
  const metrics = createMetrics();
  const sequelize = createDatabase(
    { url: databaseUrl, poolMax: config.database.poolMax, statementTimeoutMs: config.database.statementTimeoutMs },
    metrics,
  );
  const cipher = createFieldCipher(config.encryption.keys, config.encryption.activeKeyId);
  const models = initModels(sequelize, cipher);
  const migrator = createMigrator(sequelize, databaseUrl);
  const cache = createCache(config.redis, metrics, logger);
  const audit = createAuditTrail(sequelize, config, metrics, logger);
  let shuttingDown = false;

  const isReady = async (): Promise<string | undefined> => {
    if (shuttingDown) return 'shutting_down';
    if (!(await isDatabaseReachable(sequelize))) return 'database_unreachable';
    if ((await migrator.pending().catch(() => ['unknown'])).length > 0) return 'migrations_pending';
    if (!(await cache.ping())) return 'cache_unreachable';
    return undefined;
  };

  const app = createApp({ config, logger, metrics, isReady, recordAuditEvent: audit.record });
  return {
    app,
    config,
    logger,
    metrics,
    sequelize,
    models,
    migrator,
    cache,
    audit,
    beginShutdown: () => {
      shuttingDown = true;
    },
    async close() {
      await audit.stop();
      await Promise.allSettled([sequelize.close(), cache.close()]);
    },
  };
}
