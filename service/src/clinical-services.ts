import type { Gauge } from 'prom-client';
import type { Sequelize } from 'sequelize';
import { createReportService } from './admin/reports';
import { createAdminService } from './admin/service';
import type { Config } from './config';
import { createExpirySweeper } from './consultations/expiry';
import { OLDEST_WAITING_BY_SPECIALTY, PENDING_REQUESTS_BY_SPECIALTY } from './consultations/pending-gauge';
import { createConsultationService } from './consultations/service';
import { createCountingGauge } from './observability/cached-gauge';
import type { Logger } from './observability/logger';
import type { Metrics } from './observability/metrics';
import { createPatientService } from './patients/service';
import type { Cache } from './platform/cache';
import { createDirectQuery, directQueryOptions, type DirectQuery } from './platform/direct-query';
import { startStaggered } from './platform/staggered';
import type { FieldCipher } from './platform/field-cipher';
import { createPrescriptionService } from './prescriptions/service';
import { AVAILABLE_PROVIDERS_BY_SPECIALTY } from './providers/available-gauge';
import { SPECIALTIES } from './providers/model';
import { createProviderProfiles } from './providers/profile-cache';
import { createProviderService } from './providers/service';

export interface ClinicalDeps {
  readonly sequelize: Sequelize;
  /** For reads that may be slightly stale (lists, reports); the primary when there are no replicas. */
  readonly reader?: Sequelize;
  /** The same reads' direct query (platform/read-routing), for the lists every client polls. */
  readonly readQuery?: DirectQuery;
  readonly metrics: Metrics;
  /** Where profiles read far more than written are cached (Redis, shared by every instance). */
  readonly cache: Cache;
  readonly logger: Logger;
  readonly config: Config;
  /** This runtime's key ring, for the reads that decrypt PHI outside the models. */
  readonly cipher: FieldCipher;
  /** Told about failures of background work (sweeps, gauge refreshes), which keeps running. */
  readonly onBackgroundError: (error: unknown) => void;
}

/** How often the background work runs: expiry is cheap (a partial index), gauges cheaper still. */
const BACKGROUND_INTERVAL_MS = 15_000;

/** The clinical use cases wired together, and the background work they need. */
export function createClinicalServices({
  sequelize,
  reader = sequelize,
  readQuery,
  metrics,
  cache,
  logger,
  config,
  cipher,
  onBackgroundError,
}: ClinicalDeps) {
  const consultations = createConsultationService({ sequelize, readQuery, metrics, config });
  const prescriptions = createPrescriptionService({ sequelize, reader, metrics, consultations });
  const patients = createPatientService({
    consultations,
    prescriptions,
    query: createDirectQuery(sequelize, metrics, directQueryOptions(config.database.pooler)),
    cipher,
    metrics,
  });
  const bySpecialty = (gauge: Gauge<'specialty'>, sql: string) =>
    createCountingGauge(
      sequelize,
      metrics,
      gauge,
      { name: 'specialty', values: SPECIALTIES },
      sql,
      onBackgroundError,
    );
  const availableProviders = bySpecialty(
    metrics.consultations.providersAvailable,
    AVAILABLE_PROVIDERS_BY_SPECIALTY,
  );
  const pendingRequests = bySpecialty(metrics.consultations.requestsPending, PENDING_REQUESTS_BY_SPECIALTY);
  const oldestWaiting = bySpecialty(metrics.consultations.oldestWaiting, OLDEST_WAITING_BY_SPECIALTY);
  const profiles = createProviderProfiles(cache, logger, metrics);
  const providers = createProviderService({ consultations, patients, availableProviders, profiles });
  const reports = createReportService({ sequelize: reader });
  const admin = createAdminService({ patients, reports });
  const expiry = createExpirySweeper({ sequelize, metrics, onError: onBackgroundError });

  return {
    consultations,
    prescriptions,
    patients,
    providers,
    admin,
    reports,
    expiry,
    gauges: { availableProviders, pendingRequests, oldestWaiting },
    /** Starts the sweeper and the gauge refreshes, spread over their interval; returns what stops them. */
    startBackgroundWork: (): (() => void) =>
      startStaggered([expiry, availableProviders, pendingRequests, oldestWaiting], BACKGROUND_INTERVAL_MS),
    /** Ends the profile cache's subscription to changes. */
    close: () => profiles.close(),
  };
}

export type ClinicalServices = ReturnType<typeof createClinicalServices>;
