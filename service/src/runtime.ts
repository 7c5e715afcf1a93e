import type Koa from 'koa';
import type { Sequelize } from 'sequelize';
import { createMigrator, type Migrator } from '../../db/migrator';
import type Router from '@koa/router';
import { accountRoutes } from './accounts/routes';
import { openApiRoutes } from './api-document';
import { createAccounts } from './accounts/service';
import { createAccountStatus } from './accounts/status';
import { adminRoutes } from './admin/routes';
import { createApp } from './app';
import { createReadinessCheck } from './health/readiness';
import { createClinicalServices, type ClinicalServices } from './clinical-services';
import { consolePageRoutes } from './console/page-routes';
import { consoleRoutes } from './console/routes';
import { consultationRoutes } from './consultations/routes';
import { prescriptionRoutes } from './prescriptions/routes';
import { linkedUserFinder } from './auth/external/linked-user';
import { createExternalVerifier, type ExternalVerifier } from './auth/external/verifier';
import { installAuthenticator } from './auth/context';
import { createAuthModule } from './auth/module';
import type { SessionStore } from './auth/sessions';
import { auditRoutes } from './audit/routes';
import { createAuditTrail, type AuditTrail } from './audit/trail';
import { requireAal2, requireRole, requireStepUp } from './auth/guards';
import type { Config } from './config';
import { initModels, type Models } from './models';
import { exportCriticalHours } from './observability/critical-hours';
import type { Logger } from './observability/logger';
import { readMemoryLimit } from './observability/memory-limit';
import { createMetrics, type Metrics } from './observability/metrics';
import { patientRoutes } from './patients/routes';
import type { BatchedRateLimit } from './platform/batched-rate-limit';
import { createCache, type Cache } from './platform/cache';
import { createDatabase } from './platform/db';
import { createFieldCipher } from './platform/field-cipher';
import { directQueryOptions } from './platform/direct-query';
import { readYourWrites, routedDirectQuery, routedReader } from './platform/read-routing';
import { createReplicaSet, type ReplicaSet } from './platform/replica-set';
import { createRequestBudget } from './platform/request-rate-limit';
import { providerRoutes } from './providers/routes';
import { createMailWorker } from './mail/worker';
import { homeRoutes } from './home/routes';

export interface Runtime {
  readonly app: Koa;
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly sequelize: Sequelize;
  readonly models: Models;
  readonly migrator: Migrator;
  readonly cache: Cache;
  /** The per-address request budget; its counts reach Redis every API_RATE_LIMIT_FLUSH_MS, or by flush(). */
  readonly requestBudget: BatchedRateLimit;
  readonly sessions: SessionStore;
  /** The read replicas and their rotation; empty without DATABASE_REPLICA_URLS. */
  readonly replicas: ReplicaSet;
  /** The Sequelize for replica-eligible reads: lists, reports, audit queries (see platform/read-routing). */
  readonly reader: Sequelize;
  /** Verifies Supabase access tokens for linked accounts; undefined when SUPABASE_* is not configured. */
  readonly externalVerifier: ExternalVerifier | undefined;
  /**
   * Sequelize models are process-wide classes bound to one connection. A service process has one runtime;
   * a test process with several rebinds the models to the runtime it goes back to.
   */
  bindModels(): void;
  /** Every router the app serves (under /v1 and at the root), for the tests that enumerate routes. */
  readonly routers: readonly Router[];
  readonly audit: AuditTrail;
  readonly clinical: ClinicalServices;
  /**
   * Starts the background work (audit sealing and partitions, request expiry, gauges, mail delivery);
   * close() stops it.
   */
  startBackgroundWork(): Promise<void>;
  /** True once shutdown began: readiness then fails so the load balancer stops sending traffic. */
  beginShutdown(): void;
  close(): Promise<void>;
}

/** Wires every dependency of the service for one database URL. Opens connections lazily; serves nothing. */
export function createRuntime(config: Config, databaseUrl: string, logger: Logger): Runtime {
  const metrics = createMetrics();
  metrics.process.memoryLimit.set(readMemoryLimit());
  exportCriticalHours(metrics, config.clinic.timeZone);
  const sequelize = createDatabase(
    {
      url: databaseUrl,
      poolMax: config.database.poolMax,
      statementTimeoutMs: config.database.statementTimeoutMs,
      acquireTimeoutMs: config.database.acquireTimeoutMs,
      idleMs: config.database.idleMs,
      pooler: config.database.pooler,
    },
    metrics,
  );
  // The migrator's session-level advisory lock, and the migrations, need a session: past a
  // transaction-mode pooler they use DATABASE_DIRECT_URL, with a small pool of their own.
  const directUrl = config.database.directUrl ?? databaseUrl;
  const migrationDatabase =
    directUrl === databaseUrl
      ? sequelize
      : createDatabase({
          url: directUrl,
          poolMax: 2,
          statementTimeoutMs: 0,
          applicationName: 'carewatch-migrate',
        });
  const cipher = createFieldCipher(config.encryption.keys, config.encryption.activeKeyId);
  const models = initModels(sequelize, cipher);
  const bindModels = () => void initModels(sequelize, cipher);
  const migrator = createMigrator(migrationDatabase, directUrl);
  const cache = createCache(config.redis, metrics, logger);
  const requestBudget = createRequestBudget(
    config.http.rateLimit,
    cache.redis && { redis: cache.redis, metrics },
  );
  const replicas = createReplicaSet(
    config.database.replicas,
    {
      poolMax: config.database.poolMax,
      statementTimeoutMs: config.database.statementTimeoutMs,
      acquireTimeoutMs: config.database.acquireTimeoutMs,
      idleMs: config.database.idleMs,
    },
    metrics,
    logger,
  );
  const reader = routedReader(sequelize, replicas, metrics);
  const readQuery = routedDirectQuery(
    sequelize,
    replicas,
    metrics,
    directQueryOptions(config.database.pooler),
  );
  const externalVerifier =
    config.externalIdentity &&
    createExternalVerifier(config.externalIdentity, {
      cache,
      metrics,
      logger,
      findLinkedUser: linkedUserFinder(models.User),
    });
  const audit = createAuditTrail(sequelize, config, metrics, logger);
  const clinical = createClinicalServices({
    sequelize,
    reader,
    readQuery,
    metrics,
    cache,
    logger,
    config,
    cipher,
    onBackgroundError: (error) => logger.error('clinical background work failed', { error }),
  });
  let stopClinicalWork: (() => void) | undefined;
  let stopMailWorker: (() => Promise<void>) | undefined;
  let shuttingDown = false;

  const isReady = createReadinessCheck({
    sequelize,
    migrator,
    cache,
    replicas,
    isShuttingDown: () => shuttingDown,
  });

  const auth = createAuthModule({
    config: config.auth,
    sequelize,
    cache,
    metrics,
    recordAuditEvent: audit.record,
    logger,
    cipher,
    externalVerifier: externalVerifier && ((token: string) => externalVerifier.verify(token)),
  });
  const accounts = createAccounts({
    sequelize,
    recordSecurityEvent: auth.recordSecurityEvent,
    hasher: auth.hasher,
    passwordResets: auth.passwordResets,
    attempts: auth.attempts,
  });
  const apiRouters = [
    ...auth.apiRouters,
    accountRoutes(accounts),
    auditRoutes(
      { sequelize: reader, audit, exportGuards: [requireStepUp()] },
      requireRole('admin'),
      requireAal2(),
    ),
    consultationRoutes(clinical),
    prescriptionRoutes(clinical),
    patientRoutes(clinical),
    providerRoutes(clinical),
    consoleRoutes({
      sequelize,
      config: config.console,
      idleTimeoutSeconds: config.auth.sessionIdleTimeoutSeconds,
    }),
    adminRoutes({
      clinical,
      accountStatus: createAccountStatus({
        sequelize,
        recordSecurityEvent: auth.recordSecurityEvent,
        sessions: auth.sessions,
      }),
    }),
  ];
  const pageRouters = [...auth.rootRouters, homeRoutes(), consolePageRoutes()];
  const rootRouters = [...pageRouters, openApiRoutes([...apiRouters, ...pageRouters])];
  const app = createApp({
    config,
    logger,
    metrics,
    isReady,
    apiRouters,
    rootRouters,
    recordAuditEvent: audit.record,
    readRouting:
      config.database.replicas.urls.length > 0
        ? readYourWrites(cache, config.database.replicas.stickyMs)
        : undefined,
    requestBudget,
  });
  installAuthenticator(app, auth.authenticator);
  return {
    app,
    config,
    logger,
    metrics,
    sequelize,
    models,
    migrator,
    cache,
    requestBudget,
    sessions: auth.sessions,
    replicas,
    reader,
    externalVerifier,
    bindModels,
    routers: [...apiRouters, ...rootRouters],
    audit,
    clinical,
    async startBackgroundWork() {
      await audit.start();
      replicas.start();
      stopClinicalWork = clinical.startBackgroundWork();
      stopMailWorker = createMailWorker({ sequelize, config: config.mail, metrics, logger }).start();
    },
    beginShutdown: () => {
      shuttingDown = true;
    },
    async close() {
      // Before the cache closes its Redis connection: the counts not yet sent go with this flush.
      await requestBudget.close();
      externalVerifier?.close();
      stopClinicalWork?.();
      await stopMailWorker?.();
      await audit.stop();
      await Promise.allSettled([
        sequelize.close(),
        migrationDatabase === sequelize ? undefined : migrationDatabase.close(),
        auth.sessions.close(),
        clinical.close(),
        cache.close(),
        replicas.close(),
      ]);
    },
  };
}
