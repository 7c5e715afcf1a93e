import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export type VerificationState = 'started' | 'passed' | 'failed';

/** One line of the verifier's own log (see migration 0013 and audit/verification-schedule.ts). */
export class AuditVerification extends Model<
  InferAttributes<AuditVerification>,
  InferCreationAttributes<AuditVerification>
> {
  declare id: CreationOptional<string>;
  declare runId: string;
  declare state: VerificationState;
  declare recordedAt: CreationOptional<Date>;
  declare checkedEvents: number | null;
  declare problemKind: string | null;
}

export function initAuditVerificationModel(sequelize: Sequelize): void {
  AuditVerification.init(
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      runId: { type: DataTypes.UUID, allowNull: false },
      state: {
        type: DataTypes.TEXT,
        allowNull: false,
        validate: { isIn: [['started', 'passed', 'failed']] },
      },
      recordedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      checkedEvents: { type: DataTypes.BIGINT, allowNull: true },
      problemKind: { type: DataTypes.TEXT, allowNull: true },
    },
    {
      sequelize,
      tableName: 'audit_verifications',
      modelName: 'AuditVerification',
      timestamps: false,
    },
  );
}
