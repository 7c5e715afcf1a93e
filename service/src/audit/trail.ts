import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { buildCheckpoint } from './checkpoint';
import { createAuditRecorder } from './recorder';
import { dropExpiredAuditPartitions, ensureAuditPartitions } from './retention';
import { createAuditSealer } from './sealer';
import { verifyAuditChain } from './verifier';

/** The audit trail's parts, wired once by the runtime; routes and CLIs use this and nothing lower. */
export function createAuditTrail(sequelize: Sequelize, config: Config, metrics: Metrics, logger: Logger) {
  const sealer = createAuditSealer(sequelize, metrics, logger);
  return {
    record: createAuditRecorder(sequelize, metrics, logger),
    sealer,
    verify: () => verifyAuditChain(sequelize, { retentionYears: config.audit.retentionYears, metrics }),
    checkpoint: () => buildCheckpoint(sequelize, config.audit.checkpointKey),
    ensurePartitions: () => ensureAuditPartitions(sequelize),
    dropExpiredPartitions: () => dropExpiredAuditPartitions(sequelize, config.audit.retentionYears),
    /** At start-up: next months' partitions, then sealing on an interval. */
    async start(): Promise<void> {
      await ensureAuditPartitions(sequelize);
      sealer.start(config.audit.sealIntervalMs);
    },
    stop: () => sealer.stop(),
  };
}

export type AuditTrail = ReturnType<typeof createAuditTrail>;
