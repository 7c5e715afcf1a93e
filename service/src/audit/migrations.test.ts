import { expect } from 'chai';
import { createMigrator } from '../../../db/migrator';
import { createAuditHarness } from '../../test/support/audit';
import { createTestDatabase, dropDatabase } from '../../test/support/environment';
import { asSuperuser } from '../../test/support/roles';
import { useTestApp } from '../../test/support/test-app';
import { SYSTEM_ACTOR } from './audit-actor';

describe('the audit migrations', () => {
  const app = useTestApp();
  it('go down and up again, keeping the shared roles and leaving other databases as they were', async () => {
    const url = await createTestDatabase('audit_down');
    const harness = createAuditHarness(url);
    const shared = app.runtime;
    const sharedConfig = shared.sequelize.config as {
      host: string;
      port: string | number;
      username: string;
      database: string;
    };
    const sharedUrl = `postgres://${sharedConfig.username}@${sharedConfig.host}:${sharedConfig.port}/${sharedConfig.database}`;
    try {
      await harness.migrate();
      await harness.audit.record({
        actor: SYSTEM_ACTOR,
        action: 'security',
        eventType: 'test.down',
        resourceType: 'User',
        outcome: 'success',
      });
      const migrator = createMigrator(harness.sequelize, url);
      // Later migrations go down first, and come back up after the audit ones.
      expect(await migrator.down('5')).to.deep.equal([
        '0020_audit_hash_check_validated',
        '0019_audit_hash_check',
        '0018_audit_hash_inline',
        '0017_users_email_lookup',
        '0016_mfa_challenges',
        '0015_operator_role_validated',
        '0014_operator_role',
        '0013_audit_verifications',
        '0012_outbox_due_index',
        '0011_outbox_delivery',
        '0010_runtime_grants',
        '0009_break_glass_reasons',
        '0008_provider_worklist',
        '0007_audit_seals',
        '0006_audit_integrity',
      ]);

      const roles = await asSuperuser(url, (client) =>
        client.query<{ rolname: string }>(
          `SELECT rolname FROM pg_roles WHERE rolname IN ('carewatch_app', 'carewatch_retention') ORDER BY 1`,
        ),
      );
      expect(roles.rows.map((row) => row.rolname)).to.deep.equal(['carewatch_app', 'carewatch_retention']);
      // Another database still grants the application role what it had.
      await asSuperuser(sharedUrl, async (client) => {
        await client.query('BEGIN');
        await client.query('SET LOCAL ROLE carewatch_app');
        await client.query(
          `INSERT INTO audit_events (actor_role, action, event_type, resource_type, outcome) VALUES ('system', 'security', 'test.other_database', 'User', 'success')`,
        );
        await client.query('ROLLBACK');
      });

      // Up again: the event written before gets its content hash, and the trail verifies.
      expect(await migrator.up()).to.deep.equal([
        '0006_audit_integrity',
        '0007_audit_seals',
        '0008_provider_worklist',
        '0009_break_glass_reasons',
        '0010_runtime_grants',
        '0011_outbox_delivery',
        '0012_outbox_due_index',
        '0013_audit_verifications',
        '0014_operator_role',
        '0015_operator_role_validated',
        '0016_mfa_challenges',
        '0017_users_email_lookup',
        '0018_audit_hash_inline',
        '0019_audit_hash_check',
        '0020_audit_hash_check_validated',
      ]);
      expect(await harness.audit.verify()).to.include({ ok: true, checkedEvents: 1, unsealedEvents: 1 });
    } finally {
      await harness.close();
      await dropDatabase(url);
    }
  });
});
