import { QueryTypes, type Model, type ModelStatic, type Sequelize, type Transaction } from 'sequelize';

/**
 * Rows of a hand-written SELECT as plain objects with the model's camelCase names, without building
 * model instances (several times cheaper on list paths; getters such as decryption do not run).
 */
export async function selectPlain<T extends object>(
  sequelize: Sequelize,
  model: ModelStatic<Model>,
  sql: string,
  bind: readonly unknown[],
  transaction?: Transaction,
): Promise<T[]> {
  const rows: unknown = await sequelize.query(sql, {
    bind: [...bind],
    model,
    mapToModel: true,
    raw: true,
    type: QueryTypes.SELECT,
    transaction,
  });
  return rows as T[];
}

/** ISO text for a nullable timestamp, as responses carry it. */
export const isoOrNull = (date: Date | null): string | null => (date ? date.toISOString() : null);
