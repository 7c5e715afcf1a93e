import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { uuidPrimaryKey, nullableDate, timestamps, version } from '../platform/model-attributes';

export const PRESCRIPTION_STATUSES = ['issued', 'sent', 'filled', 'cancelled'] as const;
export type PrescriptionStatus = (typeof PRESCRIPTION_STATUSES)[number];

export class Prescription extends Model<
  InferAttributes<Prescription>,
  InferCreationAttributes<Prescription>
> {
  declare id: CreationOptional<string>;
  declare consultationId: ForeignKey<string>;
  declare patientId: ForeignKey<string>;
  declare providerId: ForeignKey<string>;
  declare medication: string;
  declare dosage: string;
  declare quantity: number;
  declare refills: CreationOptional<number>;
  declare status: CreationOptional<PrescriptionStatus>;
  declare issuedAt: CreationOptional<Date>;
  declare sentAt: Date | null;
  declare filledAt: Date | null;
  declare cancelledAt: Date | null;
  declare version: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initPrescriptionModel(sequelize: Sequelize): void {
  Prescription.init(
    {
      id: uuidPrimaryKey(),
      medication: { type: DataTypes.TEXT, allowNull: false },
      dosage: { type: DataTypes.TEXT, allowNull: false },
      quantity: { type: DataTypes.INTEGER, allowNull: false },
      refills: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      status: {
        type: DataTypes.TEXT,
        allowNull: false,
        defaultValue: 'issued',
        validate: { isIn: [PRESCRIPTION_STATUSES] },
      },
      issuedAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      sentAt: nullableDate(),
      filledAt: nullableDate(),
      cancelledAt: nullableDate(),
      version: version(),
      ...timestamps(),
    },
    { sequelize, tableName: 'prescriptions', modelName: 'Prescription', version: true },
  );
}
