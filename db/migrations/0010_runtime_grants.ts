import { sqlMigration } from '../migration';

/**
 * The service's login role (a member of carewatch_app) gets exactly what the code needs: data changes on
 * the clinical and identity tables, only INSERT and SELECT on audit records, SELECT on the migration
 * history (readiness compares it with the code), and never DDL: migrations run as the owner, through
 * DATABASE_MIGRATION_URL. 0006 granted DML on every table, the migration history included (so the service
 * could have rewritten what it believes is applied); the down restores that grant.
 */
export default sqlMigration(
  '0010_runtime_grants',
  `
  REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM carewatch_app;
  `,
  `
  GRANT INSERT, UPDATE, DELETE ON schema_migrations TO carewatch_app;
  `,
);
