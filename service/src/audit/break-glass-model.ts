import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { FieldCipher } from '../platform/field-cipher';
import { encryptedColumn, optionalText } from '../platform/model-attributes';

/**
 * Why an admin broke the glass (see migration 0009): the stated reason, encrypted at rest, beside who,
 * when and which patient. The break-glass audit event names `id` in its details as `breakGlassId`.
 */
export class BreakGlassReason extends Model<
  InferAttributes<BreakGlassReason>,
  InferCreationAttributes<BreakGlassReason>
> {
  declare id: string;
  declare occurredAt: CreationOptional<Date>;
  declare actorUserId: string;
  declare patientId: string;
  declare requestId: string | null;
  declare reason: string;
}

export function initBreakGlassModel(sequelize: Sequelize, cipher: FieldCipher): void {
  BreakGlassReason.init(
    {
      id: { type: DataTypes.UUID, primaryKey: true },
      occurredAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      actorUserId: { type: DataTypes.UUID, allowNull: false },
      patientId: { type: DataTypes.UUID, allowNull: false },
      requestId: optionalText(),
      reason: { ...encryptedColumn<string>(cipher, 'reason'), allowNull: false },
    },
    { sequelize, tableName: 'break_glass_reasons', modelName: 'BreakGlassReason', timestamps: false },
  );
}
