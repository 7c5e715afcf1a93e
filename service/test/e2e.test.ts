import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { listen, type RunningServer } from '../src/server';
import { strongPassword } from './support/identities';
import { useTestApp } from './support/test-app';

/**
 * One consultation from request to prescription, over HTTP against a listening server, as the people
 * in it would do it: then the admin's report counts it and the audit trail shows every PHI access.
 */
describe('end to end: a consultation from request to prescription', () => {
  const app = useTestApp();
  let server: RunningServer;

  before(async () => {
    server = await listen(app.runtime.app, 0, '127.0.0.1');
  });
  after(() => server.drain(1_000));

  const http = () => request(server.url);
  const today = () => new Date().toISOString().slice(0, 10);
  const completedIn = async (specialty: 'pediatrics') => {
    const [row] = await app.runtime.clinical.reports.specialtySummary({
      from: today(),
      to: today(),
      specialty,
    });
    return row?.completed ?? 0;
  };

  it('is requested, accepted, held, completed, prescribed, seen, reported and audited', async function () {
    this.timeout(60_000);
    const completedBefore = await completedIn('pediatrics');

    // A patient registers, logs in and asks for a consultation.
    const email = `e2e.${Date.now()}@carewatch.test`;
    const password = strongPassword();
    const registered = await http()
      .post('/v1/auth/register')
      .send({ email, password, givenName: 'Ada', familyName: 'Byron', dateOfBirth: '2015-12-10' })
      .expect(201);
    const patientId = (registered.body as { id: string }).id;
    const login = await http().post('/v1/auth/login').send({ email, password }).expect(200);
    const asPatient = { Authorization: `Bearer ${(login.body as { accessToken: string }).accessToken}` };
    const requested = await http()
      .post('/v1/consultations')
      .set(asPatient)
      .set('X-Request-Id', 'e2e-request')
      .send({ specialty: 'pediatrics', reason: 'Fever and rash for two days' })
      .expect(201);
    const consultationId = (requested.body as { id: string }).id;

    // A pediatrician (MFA enrolled, aal2) takes it from accepting to completing.
    const provider = await app.provider({ specialty: 'pediatrics' });
    const asProvider = () => provider.headers;
    const step = async (path: string, body: object = {}) =>
      http()
        .post(`/v1/consultations/${consultationId}/${path}`)
        .set(asProvider())
        .set('X-Request-Id', `e2e-${path}`)
        .send(body)
        .expect(200);
    expect((await step('accept')).body).to.include({ status: 'accepted', providerId: provider.userId });
    expect((await step('start')).body).to.include({ status: 'in_progress' });
    const completed = await step('complete', { outcome: 'prescribed', notes: 'Scarlet fever; antibiotics.' });
    expect(completed.body).to.include({ status: 'completed', outcome: 'prescribed' });

    // Prescribing needs a fresh proof of identity: a code from the authenticator.
    await http()
      .post('/v1/auth/step-up')
      .set(asProvider())
      .send({ code: await provider.nextTotpCode() })
      .expect(200);
    const prescription = await http()
      .post('/v1/prescriptions')
      .set(asProvider())
      .set('X-Request-Id', 'e2e-prescribe')
      .send({
        consultationId,
        medication: 'Penicillin V 250 mg',
        dosage: 'Twice a day for 10 days',
        quantity: 20,
      })
      .expect(201);

    // The patient sees it.
    const listed = await http()
      .get('/v1/prescriptions')
      .set(asPatient)
      .set('X-Request-Id', 'e2e-list')
      .expect(200);
    expect(listed.body.items).to.have.length(1);
    expect(listed.body.items[0]).to.include({
      id: prescription.body.id,
      consultationId,
      patientId,
      providerId: provider.userId,
      medication: 'Penicillin V 250 mg',
      status: 'issued',
    });
    const read = await http().get(`/v1/consultations/${consultationId}`).set(asPatient).expect(200);
    expect(read.body).to.include({ status: 'completed', notes: 'Scarlet fever; antibiotics.' });

    // The admin's reports count it.
    expect(await completedIn('pediatrics')).to.equal(completedBefore + 1);
    const responseTimes = await app.runtime.clinical.reports.providerResponseTimes({
      from: today(),
      to: today(),
    });
    expect(responseTimes.find((row) => row.providerId === provider.userId)).to.include({ started: 1 });

    // The audit trail names every PHI access: who, what, and this patient, in order.
    const events = await app.runtime.sequelize.query<Record<string, unknown>>(
      `SELECT actor_user_id, actor_role, action, resource_type, resource_ids, outcome, request_id
         FROM audit_events WHERE $1 = ANY(patient_ids) AND action <> 'security' ORDER BY seq`,
      { bind: [patientId], type: QueryTypes.SELECT },
    );
    const asPatientEvent = { actor_user_id: patientId, actor_role: 'patient', outcome: 'success' };
    const asProviderEvent = { actor_user_id: provider.userId, actor_role: 'provider', outcome: 'success' };
    const consultation = { resource_type: 'Consultation', resource_ids: [consultationId] };
    expect(events).to.deep.equal([
      { ...asPatientEvent, ...consultation, action: 'create', request_id: 'e2e-request' },
      { ...asProviderEvent, ...consultation, action: 'update', request_id: 'e2e-accept' },
      { ...asProviderEvent, ...consultation, action: 'update', request_id: 'e2e-start' },
      { ...asProviderEvent, ...consultation, action: 'update', request_id: 'e2e-complete' },
      {
        ...asProviderEvent,
        resource_type: 'Prescription',
        resource_ids: [prescription.body.id],
        action: 'create',
        request_id: 'e2e-prescribe',
      },
      {
        ...asPatientEvent,
        resource_type: 'Prescription',
        resource_ids: [],
        action: 'list',
        request_id: 'e2e-list',
      },
      { ...asPatientEvent, ...consultation, action: 'read', request_id: read.headers['x-request-id'] },
    ]);
  });
});
