import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
  type Transaction,
} from 'sequelize';
import { timestamps } from './model-attributes';

/**
 * Messages to send (emails, notifications), written in the same transaction as the change that causes
 * them, so a message is never lost nor sent for a change that rolled back. A worker delivers them.
 */
export class OutboxMessage extends Model<
  InferAttributes<OutboxMessage>,
  InferCreationAttributes<OutboxMessage>
> {
  declare id: CreationOptional<string>;
  declare topic: string;
  declare payload: Record<string, unknown>;
  declare attempts: CreationOptional<number>;
  declare availableAt: CreationOptional<Date>;
  declare sentAt: Date | null;
  declare failedAt: CreationOptional<Date | null>;
  declare lastError: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initOutboxModel(sequelize: Sequelize): void {
  OutboxMessage.init(
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      topic: { type: DataTypes.TEXT, allowNull: false },
      payload: { type: DataTypes.JSONB, allowNull: false },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      availableAt: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
      sentAt: { type: DataTypes.DATE, allowNull: true },
      failedAt: { type: DataTypes.DATE, allowNull: true },
      lastError: { type: DataTypes.TEXT, allowNull: true },
      ...timestamps(),
    },
    { sequelize, tableName: 'outbox', modelName: 'OutboxMessage' },
  );
}

export async function enqueue(
  topic: string,
  payload: Record<string, unknown>,
  transaction?: Transaction,
): Promise<void> {
  await OutboxMessage.create({ topic, payload, sentAt: null }, { transaction });
}
