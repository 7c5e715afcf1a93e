import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { timestamps, version } from '../platform/model-attributes';

/** The specialties a provider may have and a consultation may ask for; migrations 0002 and 0003 allow these. */
export const SPECIALTIES = [
  'general_practice',
  'pediatrics',
  'dermatology',
  'psychiatry',
  'cardiology',
  'endocrinology',
  'womens_health',
  'urgent_care',
] as const;
export type Specialty = (typeof SPECIALTIES)[number];
export const AVAILABILITIES = ['available', 'busy', 'offline'] as const;
export type Availability = (typeof AVAILABILITIES)[number];

export class Provider extends Model<InferAttributes<Provider>, InferCreationAttributes<Provider>> {
  declare userId: ForeignKey<string>;
  declare displayName: string;
  declare licenseNumber: string;
  declare licenseState: string;
  declare specialty: Specialty;
  declare acceptingPatients: CreationOptional<boolean>;
  declare availability: CreationOptional<Availability>;
  declare version: CreationOptional<number>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initProviderModel(sequelize: Sequelize): void {
  Provider.init(
    {
      userId: { type: DataTypes.UUID, primaryKey: true },
      displayName: { type: DataTypes.TEXT, allowNull: false },
      licenseNumber: { type: DataTypes.TEXT, allowNull: false },
      licenseState: { type: DataTypes.TEXT, allowNull: false },
      specialty: { type: DataTypes.TEXT, allowNull: false, validate: { isIn: [SPECIALTIES] } },
      acceptingPatients: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      availability: {
        type: DataTypes.TEXT,
        allowNull: false,
        defaultValue: 'offline',
        validate: { isIn: [AVAILABILITIES] },
      },
      version: version(),
      ...timestamps(),
    },
    { sequelize, tableName: 'providers', modelName: 'Provider', version: true },
  );
}
