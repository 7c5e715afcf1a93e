import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { metricValue } from '../../test/support/assertions';
import { auditRowsFor } from '../../test/support/audit';
import { createConsultation } from '../../test/support/clinical-factories';
import type { Identity } from '../../test/support/identities';
import { newRequestId } from '../../test/support/route-matrix';
import { useTestApp } from '../../test/support/test-app';
import { caresFor } from '../consultations/care-relationship';
import { createDirectQuery, type DirectQuery } from '../platform/direct-query';
import { createAuditedRead } from './audited-read';
import type { AuditEventInput } from './recorder';

/**
 * GET /v1/patients/me reads the caller's record and writes its audit event in one statement; a provider's
 * GET /v1/patients/:patientId checks the care relationship in it too.
 */
describe('a PHI read audited in its own statement', () => {
  const app = useTestApp();

  const readOwn = (who: Identity, requestId = newRequestId(), userAgent = 'carewatch-test/1.0') =>
    app
      .http()
      .get('/v1/patients/me')
      .set(who.headers)
      .set('X-Request-Id', requestId)
      .set('User-Agent', userAgent);
  const sql = (text: string, bind: unknown[] = []) =>
    app.runtime.sequelize.query(text, { bind, type: QueryTypes.RAW });
  const readEvents = (outcome: string) =>
    metricValue(app.runtime.metrics, 'carewatch_audit_events_total', {
      action: 'read',
      outcome,
      actor_role: 'patient',
    });

  it('writes the event once, as the route would, and answers the record', async () => {
    const owner = await app.patient();
    const requestId = newRequestId();
    const countedBefore = await readEvents('success');
    const response = await readOwn(owner, requestId).expect(200);
    expect(response.body.patientId).to.equal(owner.userId);
    const events = await auditRowsFor(app.runtime, requestId);
    expect(events).to.have.length(1);
    expect(events[0]).to.include({
      actor_user_id: owner.userId,
      actor_role: 'patient',
      action: 'read',
      event_type: 'phi.read',
      resource_type: 'Patient',
      outcome: 'success',
      user_agent: 'carewatch-test/1.0',
    });
    expect(events[0]!.patient_ids).to.deep.equal([owner.userId]);
    expect(events[0]!.resource_ids).to.deep.equal([owner.userId]);
    expect(events[0]!.details).to.have.all.keys('sessionId', 'aal');
    expect(await readEvents('success')).to.equal(countedBefore + 1);
  });

  it('records a read that finds no record as refused (404), once', async () => {
    const withoutRecord = await app.patient();
    await sql('DELETE FROM patients WHERE user_id = $1', [withoutRecord.userId]);
    const requestId = newRequestId();
    const countedBefore = await readEvents('denied');
    // Not through the contract check: a patient without a record is a broken account, not an API case.
    await request(app.runtime.app.callback())
      .get('/v1/patients/me')
      .set(withoutRecord.headers)
      .set('X-Request-Id', requestId)
      .expect(404)
      .expect('Content-Type', /problem\+json/);
    const events = await auditRowsFor(app.runtime, requestId);
    expect(events.map(({ outcome, details }) => ({ outcome, status: details.status }))).to.deep.equal([
      { outcome: 'denied', status: 404 },
    ]);
    expect(await readEvents('denied')).to.equal(countedBefore + 1);
  });

  it('answers concurrent reads, each with its own record and event', async () => {
    const patients = await Promise.all(Array.from({ length: 4 }, () => app.patient()));
    const reads = patients.flatMap((who) =>
      Array.from({ length: 5 }, () => ({ who, requestId: newRequestId() })),
    );
    const responses = await Promise.all(reads.map(({ who, requestId }) => readOwn(who, requestId)));
    responses.forEach((response, i) => {
      expect(response.status).to.equal(200);
      expect(response.body.patientId).to.equal(reads[i]!.who.userId);
    });
    for (const { who, requestId } of reads) {
      const events = await auditRowsFor(app.runtime, requestId);
      expect(events.map(({ patient_ids, outcome }) => ({ patient_ids, outcome }))).to.deep.equal([
        { patient_ids: [who.userId], outcome: 'success' },
      ]);
    }
  });

  it("checks a provider's care relationship in the read's statement, read by read", async () => {
    const admin = await app.admin();
    const owner = await app.patient();
    const [caring, onlyRequested, unrelated] = await Promise.all([
      app.provider({ admin }),
      app.provider({ admin }),
      app.provider({ admin }),
    ]);
    await createConsultation(app.runtime.models, owner.userId, {
      providerId: caring.userId,
      status: 'completed',
    });
    // A request that names the provider but was never accepted gives no access.
    await createConsultation(app.runtime.models, owner.userId, {
      providerId: onlyRequested.userId,
      status: 'requested',
    });
    // Concurrent, so that reads of one record by providers with and without access share statements.
    const reads = [caring, onlyRequested, unrelated, caring, unrelated, onlyRequested, caring].map((who) => ({
      who,
      requestId: newRequestId(),
    }));
    const responses = await Promise.all(
      reads.map(({ who, requestId }) =>
        app.http().get(`/v1/patients/${owner.userId}`).set(who.headers).set('X-Request-Id', requestId),
      ),
    );
    for (const [i, { who, requestId }] of reads.entries()) {
      const allowed = who === caring;
      expect(responses[i]!.status).to.equal(allowed ? 200 : 404);
      if (allowed) expect(responses[i]!.body.patientId).to.equal(owner.userId);
      else expect(responses[i]!.body).not.to.have.property('givenName');
      const events = await auditRowsFor(app.runtime, requestId);
      expect(
        events.map(({ actor_user_id, patient_ids, outcome }) => ({ actor_user_id, patient_ids, outcome })),
      ).to.deep.equal([
        { actor_user_id: who.userId, patient_ids: [owner.userId], outcome: allowed ? 'success' : 'denied' },
      ]);
    }
  });

  it('answers each read of one statement as its own viewer may see it', async () => {
    const admin = await app.admin();
    const owner = await app.patient();
    const [caring, unrelated] = await Promise.all([app.provider({ admin }), app.provider({ admin })]);
    await createConsultation(app.runtime.models, owner.userId, {
      providerId: caring.userId,
      status: 'accepted',
    });
    const direct = createDirectQuery(app.runtime.sequelize, app.runtime.metrics, { prepared: true });
    let statements = 0;
    const counted: DirectQuery = (...args) => {
      statements += 1;
      return direct(...args);
    };
    const read = createAuditedRead({
      select: 'SELECT user_id FROM patients WHERE user_id = ANY($1::uuid[])',
      visibleTo: caresFor('wanted.viewer', 'wanted.key'),
      query: counted,
      metrics: app.runtime.metrics,
      maxBatch: 100,
    });
    const readers = [caring, unrelated, caring, unrelated, unrelated, caring];
    const reads = readers.map((who) => {
      const requestId = newRequestId();
      const event: AuditEventInput = {
        actor: { userId: who.userId, role: 'provider' },
        action: 'read',
        eventType: 'phi.read',
        resourceType: 'Patient',
        resourceIds: [owner.userId],
        patientIds: [owner.userId],
        outcome: 'success',
        requestId,
      };
      return {
        who,
        requestId,
        answer: read({ key: owner.userId, viewer: who.userId }, { event: () => event, recorded: () => {} }),
      };
    });
    const answers = await Promise.all(reads.map(({ answer }) => answer));
    // The first read left at once; the other five waited for it and went together in one statement.
    expect(statements).to.equal(2);
    for (const [i, { who, requestId }] of reads.entries()) {
      const allowed = who === caring;
      expect(answers[i], `read ${i}`).to.deep.equal(allowed ? [owner.userId] : undefined);
      expect(await auditRowsFor(app.runtime, requestId)).to.have.length(allowed ? 1 : 0);
    }
  });

  it('also records how the request ended when it failed after the read', async () => {
    const owner = await app.patient();
    // A medical field that no key opens: the record is read, then the request fails with 500.
    await sql(`UPDATE patients SET allergies = 'not-a-sealed-value' WHERE user_id = $1`, [owner.userId]);
    const requestId = newRequestId();
    const response = await readOwn(owner, requestId).expect(500);
    expect(JSON.stringify(response.body)).not.to.include('not-a-sealed-value');
    const events = await auditRowsFor(app.runtime, requestId);
    expect(events.map(({ outcome, details }) => ({ outcome, status: details.status }))).to.deep.equal([
      { outcome: 'success', status: undefined },
      { outcome: 'error', status: 500 },
    ]);
  });

  it('answers 503 and no record when the event cannot be written with the read', async () => {
    const owner = await app.patient();
    const refusedAgent = `refused-${newRequestId()}`;
    await sql(`ALTER TABLE audit_events ADD CONSTRAINT test_refuse_agent
      CHECK (user_agent IS DISTINCT FROM '${refusedAgent}') NOT VALID`);
    const requestId = newRequestId();
    const failuresBefore = await metricValue(app.runtime.metrics, 'carewatch_audit_write_failures_total', {});
    try {
      const response = await readOwn(owner, requestId, refusedAgent)
        .expect(503)
        .expect('Content-Type', /problem\+json/);
      expect(response.body).to.include({ code: 'audit_unavailable' });
      expect(response.body).not.to.have.property('patientId');
    } finally {
      await sql('ALTER TABLE audit_events DROP CONSTRAINT test_refuse_agent');
    }
    expect(await auditRowsFor(app.runtime, requestId)).to.deep.equal([]);
    // The read's statement and then the route's own event for the failure.
    expect(await metricValue(app.runtime.metrics, 'carewatch_audit_write_failures_total', {})).to.equal(
      failuresBefore + 2,
    );
  });
});
