import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { optionalText } from '../platform/model-attributes';

export const AUDIT_ACTIONS = [
  'read',
  'list',
  'create',
  'update',
  'delete',
  'export',
  'break_glass',
  'security',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export const AUDIT_OUTCOMES = ['success', 'denied', 'error'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
/** In `details.severity` of the events reviewers must look at first (break-glass); others have none. */
export type AuditSeverity = 'high';
export const ACTOR_ROLES = ['patient', 'provider', 'admin', 'operator', 'anonymous', 'system'] as const;

/** One audit event: ids and codes only. `details` holds non-PHI context such as a lockout's duration. */
export class AuditEvent extends Model<InferAttributes<AuditEvent>, InferCreationAttributes<AuditEvent>> {
  declare seq: CreationOptional<string>;
  declare occurredAt: CreationOptional<Date>;
  declare actorUserId: string | null;
  declare actorRole: (typeof ACTOR_ROLES)[number];
  declare action: AuditAction;
  declare eventType: string;
  declare resourceType: string;
  declare resourceIds: CreationOptional<string[]>;
  declare patientIds: CreationOptional<string[]>;
  declare outcome: AuditOutcome;
  declare requestId: string | null;
  declare traceId: string | null;
  declare sourceIp: string | null;
  declare userAgent: string | null;
  declare details: CreationOptional<Record<string, string | number | boolean>>;
  /** Set by the database at insert (see migration 0006); the application never supplies it. */
  declare contentHash: CreationOptional<string>;
}

/** One block of the hash chain (see migration 0007 and audit/sealer.ts). */
export class AuditSeal extends Model<InferAttributes<AuditSeal>, InferCreationAttributes<AuditSeal>> {
  declare blockNumber: string;
  declare firstSeq: string;
  declare lastSeq: string;
  declare eventCount: number;
  declare partitionName: string;
  declare eventSeqs: string[];
  declare eventHashes: string[];
  declare previousSealHash: string;
  declare sealHash: string;
  declare sealedAt: CreationOptional<Date>;
}

export function initAuditModel(sequelize: Sequelize): void {
  AuditEvent.init(
    {
      // bigint arrives as a string from pg: sequence numbers can outgrow a JS number's safe range.
      seq: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: false },
      occurredAt: { type: DataTypes.DATE, primaryKey: true, allowNull: false, defaultValue: DataTypes.NOW },
      actorUserId: { type: DataTypes.UUID, allowNull: true },
      actorRole: { type: DataTypes.TEXT, allowNull: false, validate: { isIn: [ACTOR_ROLES] } },
      action: { type: DataTypes.TEXT, allowNull: false, validate: { isIn: [AUDIT_ACTIONS] } },
      eventType: { type: DataTypes.TEXT, allowNull: false },
      resourceType: { type: DataTypes.TEXT, allowNull: false },
      resourceIds: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false, defaultValue: [] },
      patientIds: { type: DataTypes.ARRAY(DataTypes.UUID), allowNull: false, defaultValue: [] },
      outcome: { type: DataTypes.TEXT, allowNull: false, validate: { isIn: [AUDIT_OUTCOMES] } },
      requestId: optionalText(),
      traceId: optionalText(),
      sourceIp: optionalText(),
      userAgent: optionalText(),
      details: { type: DataTypes.JSONB, allowNull: false, defaultValue: {} },
      contentHash: { type: DataTypes.TEXT, allowNull: false },
    },
    { sequelize, tableName: 'audit_events', modelName: 'AuditEvent', timestamps: false },
  );
  AuditSeal.init(
    {
      blockNumber: { type: DataTypes.BIGINT, primaryKey: true },
      firstSeq: { type: DataTypes.BIGINT, allowNull: false },
      lastSeq: { type: DataTypes.BIGINT, allowNull: false },
      eventCount: { type: DataTypes.INTEGER, allowNull: false },
      partitionName: { type: DataTypes.TEXT, allowNull: false },
      eventSeqs: { type: DataTypes.ARRAY(DataTypes.BIGINT), allowNull: false },
      eventHashes: { type: DataTypes.ARRAY(DataTypes.TEXT), allowNull: false },
      previousSealHash: { type: DataTypes.TEXT, allowNull: false },
      sealHash: { type: DataTypes.TEXT, allowNull: false },
      sealedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
    },
    { sequelize, tableName: 'audit_seals', modelName: 'AuditSeal', timestamps: false },
  );
}
