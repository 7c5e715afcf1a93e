import { randomBytes, randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { expect } from 'chai';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { enableAsyncContext } from '../../test/support/async-context';
import { appWith, asUser, auditRowsFor, createPatientWithPhi, phiTestRouter } from '../../test/support/audit';
import { SYSTEM_ACTOR } from './audit-actor';
import { phiRoutes } from './coverage';
import { audited } from './middleware';
import { fromParam } from './subject';
import { useTestApp } from '../../test/support/test-app';

describe('recording the audit trail', () => {
  const testApp = useTestApp();
  let app: ReturnType<typeof appWith>;
  const router = () => phiTestRouter(testApp.runtime);

  before(async () => {
    app = appWith(testApp.runtime, [router()]);
  });

  const requestId = () => `req-${randomUUID()}`;

  it('records a successful read with who, what, which patient, outcome and request context', async () => {
    const patient = await createPatientWithPhi(testApp.runtime);
    const id = requestId();
    const response = await request(app.callback())
      .get(`/v1/phi-test/patients/${patient.id}`)
      .set(asUser(patient.id))
      .set('X-Request-Id', id)
      .set('User-Agent', 'carewatch-test-agent/1.0');
    expect(response.status).to.equal(200);
    const [event, ...others] = await auditRowsFor(testApp.runtime, id);
    expect(others).to.have.length(0);
    expect(event).to.include({
      actor_user_id: patient.id,
      actor_role: 'patient',
      action: 'read',
      event_type: 'phi.read',
    });
    expect(event).to.include({
      resource_type: 'Patient',
      outcome: 'success',
      user_agent: 'carewatch-test-agent/1.0',
    });
    expect(event!.patient_ids).to.deep.equal([patient.id]);
    expect(event!.resource_ids).to.deep.equal([patient.id]);
    expect(event!.source_ip).to.be.a('string').and.not.empty;
    expect(event!.content_hash).to.match(/^[0-9a-f]{64}$/);
    expect(event!.details).to.have.property('aal', 'aal2');
  });

  it('records the trace id of the active span', async () => {
    const disableAsyncContext = enableAsyncContext();
    const traceId = randomBytes(16).toString('hex');
    const traced = new Router();
    traced.use((_ctx, next) =>
      context.with(
        trace.setSpanContext(ROOT_CONTEXT, {
          traceId,
          spanId: randomBytes(8).toString('hex'),
          traceFlags: 1,
        }),
        next,
      ),
    );
    traced.use(router().routes());
    try {
      const patient = await createPatientWithPhi(testApp.runtime);
      const id = requestId();
      await request(appWith(testApp.runtime, [traced]).callback())
        .get(`/v1/phi-test/patients/${patient.id}`)
        .set(asUser(patient.id))
        .set('X-Request-Id', id)
        .expect(200);
      expect((await auditRowsFor(testApp.runtime, id))[0]!.trace_id).to.equal(traceId);
    } finally {
      disableAsyncContext();
    }
  });

  it("records the caller's session and assurance level, and no session for a token that has none", async () => {
    const sessionId = randomUUID();
    const patientId = randomUUID();
    const sessions = new Router();
    // A token from the external identity provider has no local session: auth sets sessionId to null.
    sessions.use(async (ctx, next) => {
      ctx.state.auth = {
        userId: ctx.get('X-Test-User'),
        role: 'provider',
        sessionId: ctx.get('X-Test-Session') || null,
        aal: 'aal1',
        stepUpAt: null,
      };
      await next();
    });
    sessions.get(
      '/session-test/:id',
      audited({ action: 'read', resourceType: 'Patient', patientIds: fromParam('id') }),
      (ctx) => {
        ctx.body = {};
      },
    );
    const sessionApp = appWith(testApp.runtime, [sessions]);
    const [local, external] = [requestId(), requestId()];
    await request(sessionApp.callback())
      .get(`/v1/session-test/${patientId}`)
      .set({ 'X-Test-User': randomUUID(), 'X-Test-Session': sessionId, 'X-Request-Id': local })
      .expect(200);
    await request(sessionApp.callback())
      .get(`/v1/session-test/${patientId}`)
      .set({ 'X-Test-User': randomUUID(), 'X-Request-Id': external })
      .expect(200);
    expect((await auditRowsFor(testApp.runtime, local))[0]!.details).to.deep.equal({
      sessionId,
      aal: 'aal1',
    });
    expect((await auditRowsFor(testApp.runtime, external))[0]!.details).to.deep.equal({ aal: 'aal1' });
  });

  it('records a refused attempt on another patient (404) as denied, naming the patient tried', async () => {
    const [victim, intruder] = [
      await createPatientWithPhi(testApp.runtime),
      await createPatientWithPhi(testApp.runtime),
    ];
    const id = requestId();
    const response = await request(app.callback())
      .get(`/v1/phi-test/patients/${victim.id}`)
      .set(asUser(intruder.id))
      .set('X-Request-Id', id);
    expect(response.status).to.equal(404);
    expect(response.text).not.to.contain(victim.phi.familyName);
    const [event] = await auditRowsFor(testApp.runtime, id);
    expect(event).to.include({ actor_user_id: intruder.id, outcome: 'denied' });
    expect(event!.patient_ids).to.deep.equal([victim.id]);
    expect(event!.details).to.have.property('status', 404);
  });

  it('records the patients a search returned, read after the handler ran', async () => {
    const first = await createPatientWithPhi(testApp.runtime);
    const second = await createPatientWithPhi(testApp.runtime);
    await testApp.runtime.models.Patient.update(
      { familyName: first.phi.familyName },
      { where: { userId: second.id } },
    );
    const id = requestId();
    const response = await request(app.callback())
      .post('/v1/phi-test/patients/search')
      .set(asUser(randomUUID(), 'provider'))
      .set('X-Request-Id', id)
      .send({ familyName: first.phi.familyName });
    expect(response.status).to.equal(200);
    expect((response.body as { items: unknown[] }).items).to.have.length(2);
    const [event] = await auditRowsFor(testApp.runtime, id);
    expect(event).to.include({ action: 'list', actor_role: 'provider', outcome: 'success' });
    expect([...event!.patient_ids].sort()).to.deep.equal([first.id, second.id].sort());
  });

  it('never stores PHI: distinctive values sent and returned through audited routes appear in no audit row', async () => {
    const patient = await createPatientWithPhi(testApp.runtime, `phi${Date.now().toString(36)}`);
    await request(app.callback())
      .get(`/v1/phi-test/patients/${patient.id}`)
      .set(asUser(patient.id))
      .expect(200);
    await request(app.callback())
      .post('/v1/phi-test/patients/search')
      .set(asUser(patient.id))
      .send({ familyName: patient.phi.familyName })
      .expect(200);
    // PHI smuggled where ids are expected: a name in the path, an email as a "patient id".
    await request(app.callback())
      .get(`/v1/phi-test/patients/${encodeURIComponent(patient.phi.email)}`)
      .set(asUser(patient.id))
      .expect(404);
    await testApp.runtime.audit.record({
      actor: SYSTEM_ACTOR,
      action: 'security',
      eventType: 'auth.login_failed',
      resourceType: 'User',
      outcome: 'denied',
      patientIds: [patient.phi.email],
      resourceIds: [patient.phi.givenName + ' ' + patient.phi.familyName],
    });

    const rows = await testApp.runtime.sequelize.query<{ text: string }>(
      `SELECT row_to_json(e)::text AS text FROM audit_events e`,
      { type: QueryTypes.SELECT },
    );
    expect(rows.length).to.be.greaterThan(3);
    const everything = rows.map((row) => row.text.toLowerCase()).join('\n');
    expect(everything).to.contain(patient.id);
    for (const value of Object.values(patient.phi))
      expect(everything, value).not.to.contain(value.toLowerCase());
    expect(everything).not.to.contain('1961-07-13');
  });

  it('records security events through recordAuditEvent, inside the caller transaction when given one', async () => {
    const userId = randomUUID();
    const event = {
      actor: { userId, role: 'provider' as const },
      action: 'security' as const,
      eventType: 'auth.login',
      resourceType: 'User',
      resourceIds: [userId],
      outcome: 'success' as const,
    };
    await testApp.runtime.sequelize
      .transaction(async (transaction) => {
        await testApp.runtime.audit.record({ ...event, requestId: 'rolled-back-1' }, transaction);
        await transaction.rollback();
      })
      .catch(() => undefined);
    await testApp.runtime.sequelize.transaction((transaction) =>
      testApp.runtime.audit.record({ ...event, requestId: 'committed-1' }, transaction),
    );
    expect(await auditRowsFor(testApp.runtime, 'rolled-back-1')).to.have.length(0);
    expect(await auditRowsFor(testApp.runtime, 'committed-1')).to.have.length(1);
  });

  /** The batch-size histogram's count of batches and sum of events so far. */
  const batches = async () => {
    const metric = await testApp.runtime.metrics.registry
      .getSingleMetric('carewatch_audit_commit_batch_size')
      ?.get();
    const valueOf = (suffix: string) =>
      metric?.values.find(
        (value) =>
          (value as { metricName?: string }).metricName === `carewatch_audit_commit_batch_size_${suffix}`,
      )?.value ?? 0;
    return { count: valueOf('count'), sum: valueOf('sum') };
  };

  it('commits concurrent events together, answering each caller with its own event, and isolates a bad one', async () => {
    const burst = `burst-${randomUUID()}`;
    const before = await batches();
    const good = Array.from({ length: 30 }, (_, n) =>
      testApp.runtime.audit.record({
        actor: SYSTEM_ACTOR,
        action: 'security',
        eventType: 'test.burst',
        resourceType: 'User',
        outcome: 'success',
        requestId: `${burst}-${n}`,
      }),
    );
    // A role the database refuses (its CHECK constraint), slipped past the types as a careless caller might.
    const bad = testApp.runtime.audit.record({
      actor: { userId: null, role: 'robot' as 'system' },
      action: 'security',
      eventType: 'test.burst',
      resourceType: 'User',
      outcome: 'success',
      requestId: `${burst}-bad`,
    });
    const [written, refused] = await Promise.all([
      Promise.all(good),
      bad.then(
        () => 'written',
        () => 'refused',
      ),
    ]);
    expect(refused).to.equal('refused');
    expect(new Set(written.map((row) => row.seq)).size).to.equal(30);
    const rows = await testApp.runtime.sequelize.query<{ seq: string; request_id: string }>(
      `SELECT seq::text AS seq, request_id FROM audit_events WHERE request_id LIKE $1`,
      { bind: [`${burst}-%`], type: QueryTypes.SELECT },
    );
    const bySeq = new Map(rows.map((row) => [row.seq, row.request_id]));
    written.forEach((row, n) => expect(bySeq.get(row.seq)).to.equal(`${burst}-${n}`));
    expect(rows).to.have.length(30);
    // Batch sizes are a histogram: the 31 events went out in fewer statements than events (the failed
    // batch was then retried one by one, each retry a batch of one).
    const after = await batches();
    const events = after.sum - before.sum;
    expect(events).to.be.at.least(31);
    expect(after.count - before.count).to.be.lessThan(events);
  });

  it('refuses an event whose details hold free text, writing nothing and logging no value', async () => {
    const requestId = `free-text-${randomUUID()}`;
    const before = testApp.runtime.logLines().length;
    const event = {
      actor: SYSTEM_ACTOR,
      action: 'security' as const,
      eventType: 'test.details',
      resourceType: 'User',
      outcome: 'success' as const,
      requestId,
    };
    let refusal: unknown;
    await testApp.runtime.audit
      .record({ ...event, details: { note: 'Zebulonqx unconscious, no proxy' } })
      .catch((error: unknown) => (refusal = error));
    expect(refusal).to.be.instanceOf(Error);
    expect((refusal as Error).message).not.to.include('Zebulonqx');
    expect(await auditRowsFor(testApp.runtime, requestId)).to.have.length(0);
    expect(JSON.stringify(testApp.runtime.logLines().slice(before))).not.to.include('Zebulonqx');

    await testApp.runtime.audit.record({
      ...event,
      details: { scope: 'account', seconds: 60, revoked: true },
    });
    expect(await auditRowsFor(testApp.runtime, requestId)).to.have.length(1);
  });

  it('counts events by action, outcome and role in the metrics, without ids', async () => {
    const patient = await createPatientWithPhi(testApp.runtime);
    await request(app.callback())
      .get(`/v1/phi-test/patients/${patient.id}`)
      .set(asUser(patient.id))
      .expect(200);
    const text = await testApp.runtime.metrics.render();
    expect(text).to.match(
      /carewatch_audit_events_total\{action="read",outcome="success",actor_role="patient"\} [1-9]/,
    );
    expect(text).not.to.contain(patient.id);
  });

  it('lists the PHI routes of a router from their audit metadata, for the coverage test', () => {
    const routes = phiRoutes(router());
    expect(
      routes.map(
        (route) =>
          `${route.methods.join(',')} ${route.path} ${route.audit.action} ${route.audit.resourceType}`,
      ),
    ).to.deep.equal([
      'GET /phi-test/patients/:id read Patient',
      'POST /phi-test/patients/search list Patient',
    ]);
  });
});
