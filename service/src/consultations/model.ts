import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { FieldCipher } from '../platform/field-cipher';
import { SPECIALTIES, type Specialty } from '../providers/model';
import {
  uuidPrimaryKey,
  nullableDate,
  optionalText,
  timestamps,
  version,
  encryptedColumn,
} from '../platform/model-attributes';

export const CONSULTATION_STATUSES = [
  'requested',
  'accepted',
  'in_progress',
  'completed',
  'cancelled',
  'no_show',
  'expired',
] as const;
export type ConsultationStatus = (typeof CONSULTATION_STATUSES)[number];
export const OUTCOMES = ['resolved', 'follow_up', 'referred', 'prescribed', 'emergency_referral'] as const;

export class Consultation extends Model<
  InferAttributes<Consultation>,
  InferCreationAttributes<Consultation>
> {
  declare id: CreationOptional<string>;
  declare patientId: ForeignKey<string>;
  declare providerId: ForeignKey<string> | null;
  declare specialty: Specialty;
  declare status: CreationOptional<ConsultationStatus>;
  declare reason: string | null;
  declare requestedAt: CreationOptional<Date>;
  declare expiresAt: Date;
  declare acceptedAt: Date | null;
  declare startedAt: Date | null;
  declare endedAt: Date | null;
  declare cancelledBy: 'patient' | 'provider' | 'admin' | null;
  declare outcome: (typeof OUTCOMES)[number] | null;
  declare notes: string | null;
  declare version: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initConsultationModel(sequelize: Sequelize, cipher: FieldCipher): void {
  const encryptedText = (column: string) => encryptedColumn<string>(cipher, column);
  Consultation.init(
    {
      id: uuidPrimaryKey(),
      specialty: { type: DataTypes.TEXT, allowNull: false, validate: { isIn: [SPECIALTIES] } },
      status: {
        type: DataTypes.TEXT,
        allowNull: false,
        defaultValue: 'requested',
        validate: { isIn: [CONSULTATION_STATUSES] },
      },
      reason: encryptedText('reason'),
      requestedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      acceptedAt: nullableDate(),
      startedAt: nullableDate(),
      endedAt: nullableDate(),
      cancelledBy: optionalText(),
      outcome: { type: DataTypes.TEXT, allowNull: true, validate: { isIn: [OUTCOMES] } },
      notes: encryptedText('notes'),
      version: version(),
      ...timestamps(),
    },
    { sequelize, tableName: 'consultations', modelName: 'Consultation', version: true },
  );
}
