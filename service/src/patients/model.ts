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
import { encryptedColumn, optionalText, timestamps, version } from '../platform/model-attributes';

export const SUBSCRIPTION_PLANS = ['free', 'basic', 'premium'] as const;
export const SUBSCRIPTION_STATUSES = ['active', 'past_due', 'cancelled'] as const;

/** Medical lists are free text entered by people: encrypted at rest, never logged. */
export type MedicalList = string[];

export class Patient extends Model<InferAttributes<Patient>, InferCreationAttributes<Patient>> {
  declare userId: ForeignKey<string>;
  declare givenName: string;
  declare familyName: string;
  declare dateOfBirth: string;
  declare phone: string | null;
  declare allergies: MedicalList | null;
  declare conditions: MedicalList | null;
  declare medications: MedicalList | null;
  declare insurancePayer: string | null;
  declare insuranceMemberId: string | null;
  declare insuranceGroupNumber: string | null;
  declare subscriptionPlan: CreationOptional<(typeof SUBSCRIPTION_PLANS)[number]>;
  declare subscriptionStatus: CreationOptional<(typeof SUBSCRIPTION_STATUSES)[number]>;
  declare subscriptionRenewsAt: Date | null;
  declare version: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initPatientModel(sequelize: Sequelize, cipher: FieldCipher): void {
  const encryptedList = (column: string) => encryptedColumn<MedicalList>(cipher, column);
  Patient.init(
    {
      userId: { type: DataTypes.UUID, primaryKey: true },
      givenName: { type: DataTypes.TEXT, allowNull: false },
      familyName: { type: DataTypes.TEXT, allowNull: false },
      dateOfBirth: { type: DataTypes.DATEONLY, allowNull: false },
      phone: optionalText(),
      allergies: encryptedList('allergies'),
      conditions: encryptedList('conditions'),
      medications: encryptedList('medications'),
      insurancePayer: optionalText(),
      insuranceMemberId: optionalText(),
      insuranceGroupNumber: optionalText(),
      subscriptionPlan: {
        type: DataTypes.TEXT,
        allowNull: false,
        defaultValue: 'free',
        validate: { isIn: [SUBSCRIPTION_PLANS] },
      },
      subscriptionStatus: {
        type: DataTypes.TEXT,
        allowNull: false,
        defaultValue: 'active',
        validate: { isIn: [SUBSCRIPTION_STATUSES] },
      },
      subscriptionRenewsAt: { type: DataTypes.DATE, allowNull: true },
      version: version(),
      ...timestamps(),
    },
    { sequelize, tableName: 'patients', modelName: 'Patient', version: true },
  );
}
