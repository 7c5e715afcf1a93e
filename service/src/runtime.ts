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
import { consultationRoutes } from './consultations/routes';
import { prescriptionRoutes } from './prescriptions/routes';
import { linkedUserFinder } from './auth/external/linked-user';
import { createExternalVerifier, type ExternalVerifier } from './auth/external/verifier';
import { installAuthenticator } from './auth/context';
import { createAuthModule } from './auth/module';
import { auditRoutes } from './audit/routes';
import { createAuditTrail, type AuditTrail } from './audit/trail';
import { requireAal2, requireRole, requireStepUp } from './auth/guards';
import type { Config } from './config';
import { initModels, type Models } from './models';
import type { Logger } from './observability/logger';
import { readMemoryLimit } from './observability/memory-limit';
import { createMetrics, type Metrics } from './observability/metrics';
import { patientRoutes } from './patients/routes';
import { createCache, type Cache } from './platform/cache';
import { createDatabase } from './platform/db';
import { createFieldCipher } from './platform/field-cipher';
import { providerRoutes } from './providers/routes';

export interface Runtime {
  readonly app: Koa;
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly sequelize: Sequelize;
  readonly models: Models;
  readonly migrator: Migrator;
  readonly cache: Cache;
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
  /** Starts the background work (audit sealing and partitions, request expiry, gauges); close() stops it. */
  startBackgroundWork(): Promise<void>;
  /** True once shutdown began: readiness then fails so the load balancer stops sending traffic. */
  beginShutdown(): void;
  close(): Promise<void>;
}

/** Wires every dependency of the service for one database URL. Opens connections lazily; serves nothing. */
export function createRuntime(config: Config, databaseUrl: string, logger: Logger): Runtime {
  const metrics = createMetrics();
  metrics.process.memoryLimit.set(readMemoryLimit());
  const sequelize = createDatabase(
    {
      url: databaseUrl,
      poolMax: config.database.poolMax,
      statementTimeoutMs: config.database.statementTimeoutMs,
    },
    metrics,
  );
  const cipher = createFieldCipher(config.encryption.keys, config.encryption.activeKeyId);
  const models = initModels(sequelize, cipher);
  const bindModels = () => void initModels(sequelize, cipher);
  const migrator = createMigrator(sequelize, databaseUrl);
  const cache = createCache(config.redis, metrics, logger);
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
    metrics,
    config,
    onBackgroundError: (error) => logger.error('clinical background work failed', { error }),
  });
  let stopClinicalWork: (() => void) | undefined;
  let shuttingDown = false;

  const isReady = createReadinessCheck({ sequelize, migrator, cache, isShuttingDown: () => shuttingDown });

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
    auditRoutes({ sequelize, audit, exportGuards: [requireStepUp()] }, requireRole('admin'), requireAal2()),
    consultationRoutes(clinical),
    prescriptionRoutes(clinical),
    patientRoutes(clinical),
    providerRoutes(clinical),
    adminRoutes({
      clinical,
      accountStatus: createAccountStatus({
        sequelize,
        recordSecurityEvent: auth.recordSecurityEvent,
        sessions: auth.sessions,
      }),
    }),
  ];
  const rootRouters = [...auth.rootRouters, openApiRoutes([...apiRouters, ...auth.rootRouters])];
  const app = createApp({
    config,
    logger,
    metrics,
    isReady,
    apiRouters,
    rootRouters,
    recordAuditEvent: audit.record,
    rateLimitStore: cache,
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
    externalVerifier,
    bindModels,
    routers: [...apiRouters, ...rootRouters],
    audit,
    clinical,
    async startBackgroundWork() {
      await audit.start();
      stopClinicalWork = clinical.startBackgroundWork();
    },
    beginShutdown: () => {
      shuttingDown = true;
    },
    async close() {
      externalVerifier?.close();
      stopClinicalWork?.();
      await audit.stop();
      await Promise.allSettled([sequelize.close(), cache.close()]);
    },
  };
}
