import { expect } from 'chai';
import request from 'supertest';
import {
  appWith,
  asUser,
  createAuditHarness,
  createPatientWithPhi,
  phiTestRouter,
} from '../../test/support/audit';
import { createTestDatabase, dropDatabase } from '../../test/support/environment';
import { asSuperuser, createLoginRole } from '../../test/support/roles';

describe('the audit trail fails closed', () => {
  let databaseUrl: string;
  let migrated: ReturnType<typeof createAuditHarness>;
  let service: ReturnType<typeof createAuditHarness>;
  let role: Awaited<ReturnType<typeof createLoginRole>>;

  before(async () => {
    databaseUrl = await createTestDatabase('audit_fail_closed');
    migrated = createAuditHarness(databaseUrl);
    await migrated.migrate();
    // The service connects as a member of carewatch_app, as in production, not as the owner.
    role = await createLoginRole(databaseUrl, 'carewatch_app');
    service = createAuditHarness(role.url(databaseUrl));
  });

  after(async () => {
    await service.close();
    await migrated.close();
    await role.drop();
    await dropDatabase(databaseUrl);
  });

  it('answers a PHI read as carewatch_app while the audit trail is writable', async () => {
    const patient = await createPatientWithPhi(service);
    const response = await request(appWith(service, [phiTestRouter(service)]).callback())
      .get(`/v1/phi-test/patients/${patient.id}`)
      .set(asUser(patient.id));
    expect(response.status).to.equal(200);
    expect((response.body as { familyName: string }).familyName).to.equal(patient.phi.familyName);
  });

  it('sends 503 problem+json and no PHI when the event cannot be written (INSERT revoked)', async () => {
    const patient = await createPatientWithPhi(service);
    const app = appWith(service, [phiTestRouter(service)]);
    await asSuperuser(databaseUrl, (client) =>
      client.query('REVOKE INSERT ON audit_events FROM carewatch_app'),
    );
    try {
      const response = await request(app.callback())
        .get(`/v1/phi-test/patients/${patient.id}`)
        .set(asUser(patient.id));
      expect(response.status).to.equal(503);
      expect(response.headers['content-type']).to.match(/^application\/problem\+json/);
      expect((response.body as { code: string }).code).to.equal('audit_unavailable');
      for (const value of Object.values(patient.phi)) expect(response.text).not.to.contain(value);
      expect(await service.metrics.render()).to.match(/carewatch_audit_write_failures_total [1-9]/);
    } finally {
      await asSuperuser(databaseUrl, (client) =>
        client.query('GRANT INSERT ON audit_events TO carewatch_app'),
      );
    }
    await request(app.callback())
      .get(`/v1/phi-test/patients/${patient.id}`)
      .set(asUser(patient.id))
      .expect(200);
  });

  it('sends 503 when the audit connection is terminated in the middle of the write', async () => {
    const patient = await createPatientWithPhi(service);
    const app = appWith(service, [phiTestRouter(service)]);
    // The audit insert waits behind a lock held elsewhere; then its connection is terminated.
    const response = await asSuperuser(databaseUrl, async (client) => {
      await client.query('BEGIN');
      await client.query('LOCK TABLE audit_events IN EXCLUSIVE MODE');
      const pending = request(app.callback())
        .get(`/v1/phi-test/patients/${patient.id}`)
        .set(asUser(patient.id))
        .then((r) => r);
      for (;;) {
        // Activity statistics are a snapshot per transaction unless cleared.
        await client.query('SELECT pg_stat_clear_snapshot()');
        const waiting = await client.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
           AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO audit_events%'`,
        );
        if (waiting.rows[0]) {
          await client.query('SELECT pg_terminate_backend($1)', [waiting.rows[0].pid]);
          break;
        }
        // Polling, not timing: the request needs turns of the event loop to reach its INSERT.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await client.query('ROLLBACK');
      return pending;
    });
    expect(response.status).to.equal(503);
    for (const value of Object.values(patient.phi)) expect(response.text).not.to.contain(value);
  });
});
