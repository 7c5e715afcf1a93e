import type { Sequelize } from 'sequelize';

export interface Migration {
  readonly name: string;
  up(this: void, params: { context: Sequelize }): Promise<void>;
  down(this: void, params: { context: Sequelize }): Promise<void>;
}

/**
 * A migration written as plain SQL, each direction in one transaction: PostgreSQL DDL is transactional,
 * so a failing migration leaves the schema exactly as it was.
 */
export function sqlMigration(name: string, up: string, down: string): Migration {
  const run =
    (sql: string) =>
    async ({ context }: { context: Sequelize }) => {
      await context.transaction(async (transaction) => {
        await context.query(sql, { transaction });
      });
    };
  return { name, up: run(up), down: run(down) };
}
