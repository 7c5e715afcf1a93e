import type { Migration } from './migration';

/** The SQL `up` would send for each pending migration, as a script a reviewer (or psql) can read. */
export function formatPlan(pending: readonly Migration[]): string {
  return pending
    .map((migration) => {
      const how = migration.transactional
        ? 'in one transaction'
        : 'outside a transaction, statement by statement';
      const body = migration.statements.up.map((statement) => `${statement.trim()};`).join('\n');
      const wrapped = migration.transactional ? `BEGIN;\n${body}\nCOMMIT;` : body;
      return `-- ${migration.name} (${how})\n${wrapped}`;
    })
    .join('\n\n');
}
