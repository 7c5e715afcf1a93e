import { DataTypes } from 'sequelize';
import { encryptedJson, type FieldCipher } from './field-cipher';

// Factories, not shared constants: Sequelize writes the column name into each attribute object it is
// given, so one object reused for two attributes silently maps both to the same column.
export const uuidPrimaryKey = () => ({
  type: DataTypes.UUID,
  primaryKey: true,
  defaultValue: DataTypes.UUIDV4,
});
export const nullableDate = () => ({ type: DataTypes.DATE, allowNull: true });
export const optionalText = () => ({ type: DataTypes.TEXT, allowNull: true });
export const timestamps = () => ({
  createdAt: { type: DataTypes.DATE, allowNull: false },
  updatedAt: { type: DataTypes.DATE, allowNull: false },
});
export const version = () => ({ type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 });

/** A TEXT column holding a JSON value encrypted with `cipher` (PHI at rest). */
export const encryptedColumn = <T>(cipher: FieldCipher, column: string) => ({
  type: DataTypes.TEXT,
  allowNull: true,
  ...encryptedJson<T>(cipher, column),
});
