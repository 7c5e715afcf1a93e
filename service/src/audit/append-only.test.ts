import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Client } from 'pg';
import { SYSTEM_ACTOR } from './audit-actor';
import { BreakGlassReason } from './break-glass-model';
import { asSuperuser } from '../../test/support/roles';
import { urlFor } from '../../test/support/environment';
import { type TestRuntime } from '../../test/support/runtime';
import { useTestApp } from '../../test/support/test-app';

/** Runs `sql` as `role` (SET ROLE on a real connection) and answers the error PostgreSQL raised, if any. */
async function refusal(client: Client, role: string | null, sql: string): Promise<string | undefined> {
  await client.query('BEGIN');
  try {
    if (role) await client.query(`SET LOCAL ROLE ${role}`);
    await client.query(sql);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.query('ROLLBACK');
  }
}

describe('the audit trail is append-only in the database', () => {
  const app = useTestApp();
  let url: string;
  let partition: string;

  before(async () => {
    url = databaseUrlOf(app.runtime);
    await app.runtime.audit.record({
      actor: SYSTEM_ACTOR,
      action: 'security',
      eventType: 'test.append_only',
      resourceType: 'User',
      outcome: 'success',
    });
    // A seal row must exist for the row triggers on audit_seals to have something to refuse.
    while ((await app.runtime.audit.sealer.sealOnce()) === 0);
    // Likewise a kept break-glass reason, for the triggers on break_glass_reasons.
    await BreakGlassReason.create({
      id: randomUUID(),
      actorUserId: randomUUID(),
      patientId: randomUUID(),
      requestId: null,
      reason: 'Kept to test that it cannot be changed',
    });
    partition = await asSuperuser(
      url,
      async (client) =>
        (
          await client.query<{ p: string }>(
            `SELECT tableoid::regclass::text AS p FROM audit_events WHERE event_type = 'test.append_only' LIMIT 1`,
          )
        ).rows[0]!.p,
    );
  });

  it('lets carewatch_app insert and read audit events, and nothing more', async () => {
    await asSuperuser(url, async (client) => {
      expect(
        await refusal(
          client,
          'carewatch_app',
          `INSERT INTO audit_events (actor_role, action, event_type, resource_type, outcome) VALUES ('system', 'security', 'test.insert', 'User', 'success')`,
        ),
      ).to.equal(undefined);
      expect(await refusal(client, 'carewatch_app', 'SELECT count(*) FROM audit_events')).to.equal(undefined);
      expect(await refusal(client, 'carewatch_app', `UPDATE audit_events SET outcome = 'error'`)).to.match(
        /permission denied/,
      );
      expect(await refusal(client, 'carewatch_app', 'DELETE FROM audit_events')).to.match(
        /permission denied/,
      );
      expect(await refusal(client, 'carewatch_app', 'TRUNCATE audit_events')).to.match(/permission denied/);
      expect(await refusal(client, 'carewatch_app', `DELETE FROM ${partition}`)).to.match(
        /permission denied/,
      );
      expect(await refusal(client, 'carewatch_app', `DROP TABLE ${partition}`)).to.match(/must be owner/);
      expect(await refusal(client, 'carewatch_app', `UPDATE audit_seals SET seal_hash = seal_hash`)).to.match(
        /permission denied/,
      );
    });
  });

  it('lets carewatch_app add and read break-glass reasons, and nothing more', async () => {
    await asSuperuser(url, async (client) => {
      expect(
        await refusal(
          client,
          'carewatch_app',
          `INSERT INTO break_glass_reasons (id, actor_user_id, patient_id, reason)
           VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'v1.test')`,
        ),
      ).to.equal(undefined);
      expect(await refusal(client, 'carewatch_app', 'SELECT count(*) FROM break_glass_reasons')).to.equal(
        undefined,
      );
      for (const sql of [
        `UPDATE break_glass_reasons SET reason = reason`,
        'DELETE FROM break_glass_reasons',
        'TRUNCATE break_glass_reasons',
      ]) {
        expect(await refusal(client, 'carewatch_app', sql), sql).to.match(/permission denied/);
      }
    });
  });

  it('refuses UPDATE, DELETE and TRUNCATE to the owner too, on the table and on each partition', async () => {
    await asSuperuser(url, async (client) => {
      for (const sql of [
        `UPDATE audit_events SET outcome = 'error' WHERE event_type = 'test.append_only'`,
        `DELETE FROM audit_events WHERE event_type = 'test.append_only'`,
        'TRUNCATE audit_events',
        `UPDATE ${partition} SET outcome = 'error'`,
        `DELETE FROM ${partition}`,
        `TRUNCATE ${partition}`,
        'UPDATE audit_seals SET sealed_at = now()',
        'DELETE FROM audit_seals',
        'TRUNCATE audit_seals',
        'UPDATE break_glass_reasons SET reason = reason',
        'DELETE FROM break_glass_reasons',
        'TRUNCATE break_glass_reasons',
      ]) {
        expect(await refusal(client, null, sql), sql).to.match(/append-only/);
      }
    });
  });

  it('assigns the sequence number and content hash itself, whatever the client sends', async () => {
    await asSuperuser(url, async (client) => {
      const row = await client.query<{ seq: string; content_hash: string }>(
        `INSERT INTO audit_events (seq, actor_role, action, event_type, resource_type, outcome, content_hash)
         VALUES (1, 'system', 'security', 'test.forged', 'User', 'success', repeat('0', 64)) RETURNING seq::text, content_hash`,
      );
      expect(row.rows[0]!.seq).not.to.equal('1');
      expect(row.rows[0]!.content_hash).not.to.equal('0'.repeat(64));
    });
  });

  it('lets only carewatch_retention run the retention function, and never below six years', async () => {
    await asSuperuser(url, async (client) => {
      expect(await refusal(client, 'carewatch_app', 'SELECT audit_drop_expired_partitions(6)')).to.match(
        /permission denied/,
      );
      expect(
        await refusal(client, 'carewatch_retention', 'SELECT audit_drop_expired_partitions(6)'),
      ).to.equal(undefined);
      expect(
        await refusal(client, 'carewatch_retention', 'SELECT audit_drop_expired_partitions(5)'),
      ).to.match(/at least 6 years/);
    });
  });
});

/**
 * The server's superuser in the runtime's database. Under TEST_RUNTIME_ROLE=app the runtime logs in as a
 * non-owner, so its own URL could neither act as the owner nor SET ROLE to groups it is not a member of.
 */
function databaseUrlOf(runtime: TestRuntime): string {
  return urlFor((runtime.sequelize.config as { database: string }).database);
}
