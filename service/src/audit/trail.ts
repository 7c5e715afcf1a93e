import type { Sequelize } from 'sequelize';
import { directQueryOptions } from '../platform/direct-query';
import type { Config } from '../config';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { buildCheckpoint } from './checkpoint';
import { createAuditRecorder } from './recorder';
import { dropExpiredAuditPartitions, ensureAuditPartitions } from './retention';
import { createAuditSealer } from './sealer';
import { createVerificationSchedule, recordVerification } from './verification-schedule';
import { verifyAuditChain } from './verifier';

const PARTITION_MAINTENANCE_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** The audit trail's parts, wired once by the runtime; routes and CLIs use this and nothing lower. */
export function createAuditTrail(sequelize: Sequelize, config: Config, metrics: Metrics, logger: Logger) {
  const sealer = createAuditSealer(sequelize, metrics, logger);
  const walk = () => verifyAuditChain(sequelize, { retentionYears: config.audit.retentionYears });
  const verification = createVerificationSchedule(sequelize, walk, metrics, logger);
  let maintenance: NodeJS.Timeout | undefined;
  return {
    record: createAuditRecorder(sequelize, metrics, logger, directQueryOptions(config.database.pooler)),
    sealer,
    verification,
    /** A verification on demand (the admin API, the CLI): recorded like a scheduled one, then exported. */
    async verify() {
      const result = await walk();
      await recordVerification(sequelize, result);
      await verification.exportLatest();
      return result;
    },
    checkpoint: () => buildCheckpoint(sequelize, config.audit.checkpointKey),
    ensurePartitions: () => ensureAuditPartitions(sequelize),
    dropExpiredPartitions: () => dropExpiredAuditPartitions(sequelize, config.audit.retentionYears),
    /**
     * At start-up: the coming months' partitions, sealing on an interval, and the partitions again every
     * day, because an instance that outlived its last partition could audit nothing (and so serve nothing).
     */
    async start(): Promise<void> {
      await ensureAuditPartitions(sequelize);
      sealer.start(config.audit.sealIntervalMs);
      verification.start(config.audit.verifyIntervalMs, config.audit.verifyCheckMs);
      maintenance = setInterval(() => {
        ensureAuditPartitions(sequelize).catch((error: unknown) =>
          logger.error('audit partition maintenance failed', { error }),
        );
      }, PARTITION_MAINTENANCE_INTERVAL_MS);
      maintenance.unref();
    },
    async stop(): Promise<void> {
      clearInterval(maintenance);
      await Promise.all([sealer.stop(), verification.stop()]);
    },
  };
}

export type AuditTrail = ReturnType<typeof createAuditTrail>;
