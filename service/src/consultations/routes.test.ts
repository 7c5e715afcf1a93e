import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { auditRowsFor } from '../../test/support/audit';
import {
  consultationIn,
  createCast,
  headersOf,
  SPECIALTY,
  statusOf,
  ONLY_ITS_PROVIDER,
  routeNamesOf,
  type CallerName,
  type Cast,
} from '../../test/support/clinical-http';
import type { ConsultationStatus } from './model';
import { consultationRoutes } from './routes';
import { useTestApp } from '../../test/support/test-app';

const REQUEST = { specialty: SPECIALTY, reason: 'Sore throat for three days' };
const COMPLETION = { outcome: 'resolved', notes: 'Viral pharyngitis; fluids and rest.' };

interface MatrixRow {
  /** As the router declares it: `POST /consultations/:id/accept`. */
  readonly route: string;
  /** The state the consultation is in before each call (a fresh one per call); none for a create. */
  readonly from?: ConsultationStatus;
  readonly body?: object;
  readonly expected: Readonly<Record<CallerName, number>>;
}

const MATRIX: readonly MatrixRow[] = [
  // First, while the cast's patient has no waiting requests (at most three may wait at once).
  {
    route: 'POST /consultations',
    body: REQUEST,
    expected: {
      patient: 201,
      otherPatient: 201,
      provider: 403,
      otherProvider: 403,
      admin: 403,
      aal1Provider: 403,
      anonymous: 401,
    },
  },
  {
    route: 'GET /consultations/:id',
    from: 'accepted',
    expected: { ...ONLY_ITS_PROVIDER, patient: 200, otherPatient: 404 },
  },
  // Any provider of the specialty may accept a request; one of another specialty never sees it.
  { route: 'POST /consultations/:id/accept', from: 'requested', expected: ONLY_ITS_PROVIDER },
  { route: 'POST /consultations/:id/start', from: 'accepted', expected: ONLY_ITS_PROVIDER },
  {
    route: 'POST /consultations/:id/complete',
    from: 'in_progress',
    body: COMPLETION,
    expected: ONLY_ITS_PROVIDER,
  },
  { route: 'POST /consultations/:id/no-show', from: 'accepted', expected: ONLY_ITS_PROVIDER },
  {
    route: 'POST /consultations/:id/cancel',
    from: 'accepted',
    expected: { ...ONLY_ITS_PROVIDER, patient: 200, otherPatient: 404, admin: 200 },
  },
];

describe('consultation routes', () => {
  const app = useTestApp();
  let cast: Cast;

  before(async function () {
    this.timeout(60_000);
    cast = await createCast(app.runtime);
  });

  const call = (method: string, path: string, caller: CallerName, body?: object) => {
    const request =
      method === 'GET'
        ? app.http().get(path)
        : app
            .http()
            .post(path)
            .send(body ?? {});
    return request.set(headersOf(cast, caller));
  };

  describe('authorization', () => {
    it('has a matrix row for every route of the router', () => {
      expect(MATRIX.map((row) => row.route)).to.have.members(
        routeNamesOf(consultationRoutes(app.runtime.clinical)),
      );
    });

    for (const row of MATRIX) {
      it(`${row.route}: ${JSON.stringify(row.expected)}`, async () => {
        const [method, template] = row.route.split(' ') as [string, string];
        const answered: Record<string, number> = {};
        for (const caller of Object.keys(row.expected) as CallerName[]) {
          const id = row.from ? await consultationIn(app.runtime, cast, row.from) : undefined;
          const response = await call(method, `/v1${template.replace(':id', id ?? '')}`, caller, row.body);
          answered[caller] = response.status;
          if (response.status >= 400) expect(response.type).to.equal('application/problem+json');
          if (id && response.status >= 400)
            expect((await statusOf(app.runtime, 'consultations', id))?.status).to.equal(row.from);
        }
        expect(answered).to.deep.equal(row.expected);
      });
    }

    it('tells a provider without a second factor that MFA is required', async () => {
      const id = await consultationIn(app.runtime, cast, 'requested');
      const response = await call('POST', `/v1/consultations/${id}/accept`, 'aal1Provider');
      expect(response.status).to.equal(403);
      expect(response.body.code).to.equal('mfa_required');
    });
  });

  describe('the lifecycle', () => {
    it('answers the presented consultation with its version as the ETag, notes included for its people', async () => {
      const id = await consultationIn(app.runtime, cast, 'in_progress');
      const completed = await call('POST', `/v1/consultations/${id}/complete`, 'provider', COMPLETION);
      expect(completed.status).to.equal(200);
      expect(completed.body).to.include({
        id,
        status: 'completed',
        outcome: 'resolved',
        notes: COMPLETION.notes,
      });
      expect(completed.headers.etag).to.equal(`W/"${completed.body.version}"`);
      const read = await call('GET', `/v1/consultations/${id}`, 'patient');
      expect(read.body).to.deep.equal(completed.body);
      expect(Object.keys(read.body)).to.not.include.members(['deletedAt', 'createdAt', 'updatedAt']);
    });

    it('creates a request with a Location, and refuses a fourth waiting one with 409', async () => {
      const patient = (await createCast(app.runtime)).patient;
      const made = [];
      for (let i = 0; i < 3; i += 1)
        made.push(await app.http().post('/v1/consultations').set(patient.headers).send(REQUEST));
      expect(made.map((response) => response.status)).to.deep.equal([201, 201, 201]);
      expect(made[0]!.headers.location).to.equal(`/v1/consultations/${made[0]!.body.id}`);
      expect(made[0]!.body).to.include({
        patientId: patient.userId,
        status: 'requested',
        reason: REQUEST.reason,
      });
      const fourth = await app.http().post('/v1/consultations').set(patient.headers).send(REQUEST);
      expect(fourth.status).to.equal(409);
      expect(fourth.body.code).to.equal('too_many_open_requests');
    });
  });

  describe('bad input', () => {
    const countOf = async (patientId: string) =>
      app.runtime.models.Consultation.count({ where: { patientId } });

    it('refuses a malformed request with 422 problem+json and creates nothing', async () => {
      const before = await countOf(cast.otherPatient.userId);
      const bodies = [
        {},
        { specialty: SPECIALTY },
        { specialty: 42, reason: 'x' },
        { specialty: 'astrology', reason: 'x' },
        { specialty: SPECIALTY, reason: '   ' },
        { specialty: SPECIALTY, reason: 'x'.repeat(2001) },
        { ...REQUEST, patientId: randomUUID() },
      ];
      for (const body of bodies) {
        const response = await call('POST', '/v1/consultations', 'otherPatient', body);
        expect(response.status, JSON.stringify(body).slice(0, 80)).to.equal(422);
        expect(response.type).to.equal('application/problem+json');
        expect(JSON.stringify(response.body)).to.not.include('astrology');
      }
      expect(await countOf(cast.otherPatient.userId)).to.equal(before);
    });

    it('refuses a malformed id, completion or unexpected body with 422 and leaves the row unchanged', async () => {
      expect((await call('GET', '/v1/consultations/not-a-uuid', 'patient')).status).to.equal(422);
      const id = await consultationIn(app.runtime, cast, 'in_progress');
      const before = await statusOf(app.runtime, 'consultations', id);
      const completions = [
        {},
        { outcome: 'resolved' },
        { outcome: 'cured', notes: 'x' },
        { outcome: 'resolved', notes: 7 },
        { outcome: 'resolved', notes: 'x'.repeat(20_001) },
        { ...COMPLETION, status: 'completed' },
      ];
      for (const body of completions)
        expect((await call('POST', `/v1/consultations/${id}/complete`, 'provider', body)).status).to.equal(
          422,
        );
      expect(
        (await call('POST', `/v1/consultations/${id}/cancel`, 'provider', { why: 'x' })).status,
      ).to.equal(422);
      expect(await statusOf(app.runtime, 'consultations', id)).to.deep.equal(before);
    });

    const invalidMoves: [ConsultationStatus, string, CallerName][] = [
      ['accepted', 'complete', 'provider'],
      ['completed', 'start', 'provider'],
      ['completed', 'accept', 'provider'],
      ['in_progress', 'no-show', 'provider'],
      ['in_progress', 'cancel', 'patient'],
      ['completed', 'cancel', 'admin'],
    ];
    for (const [from, step, caller] of invalidMoves) {
      it(`answers 409 to ${step} on a ${from} consultation (${caller}) and changes nothing`, async () => {
        const id = await consultationIn(app.runtime, cast, from);
        const before = await statusOf(app.runtime, 'consultations', id);
        const response = await call(
          'POST',
          `/v1/consultations/${id}/${step}`,
          caller,
          step === 'complete' ? COMPLETION : {},
        );
        expect(response.status).to.equal(409);
        expect(response.body.code).to.equal('invalid_transition');
        expect(await statusOf(app.runtime, 'consultations', id)).to.deep.equal(before);
      });
    }
  });

  it('of ten providers accepting the same request at once, exactly one gets it; the rest get 409', async function () {
    this.timeout(120_000);
    const admin = await app.admin();
    const providers = [];
    for (let i = 0; i < 10; i += 1) providers.push(await app.provider({ admin, specialty: SPECIALTY }));
    const id = await consultationIn(app.runtime, cast, 'requested');
    const before = await statusOf(app.runtime, 'consultations', id);
    const responses = await Promise.all(
      providers.map((provider) =>
        app.http().post(`/v1/consultations/${id}/accept`).set(provider.headers).send({}),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).to.deep.equal([200, ...Array<number>(9).fill(409)]);
    const winner = providers[responses.findIndex((response) => response.status === 200)]!;
    const [stored] = await app.runtime.models.Consultation.findAll({ where: { id }, raw: true });
    expect(stored).to.include({
      providerId: winner.userId,
      status: 'accepted',
      version: before!.version + 1,
    });
  });

  describe('the audit trail', () => {
    const eventOf = async (requestId: string) => {
      const rows = await auditRowsFor(app.runtime, requestId);
      expect(rows, requestId).to.have.length(1);
      return rows[0]!;
    };

    it('records a create, a read and an update against the patient, with the actor and the record', async () => {
      const createId = `c-create-${randomUUID()}`;
      const created = await call('POST', '/v1/consultations', 'otherPatient', REQUEST).set(
        'X-Request-Id',
        createId,
      );
      expect(created.status).to.equal(201);
      expect(await eventOf(createId))
        .to.include({
          action: 'create',
          resource_type: 'Consultation',
          actor_user_id: cast.otherPatient.userId,
          actor_role: 'patient',
          outcome: 'success',
        })
        .and.to.deep.include({ patient_ids: [cast.otherPatient.userId], resource_ids: [created.body.id] });

      const id = await consultationIn(app.runtime, cast, 'accepted');
      const readId = `c-read-${randomUUID()}`;
      await call('GET', `/v1/consultations/${id}`, 'provider').set('X-Request-Id', readId).expect(200);
      expect(await eventOf(readId))
        .to.include({ action: 'read', actor_user_id: cast.provider.userId, outcome: 'success' })
        .and.to.deep.include({ patient_ids: [cast.patient.userId], resource_ids: [id] });

      const startId = `c-start-${randomUUID()}`;
      await call('POST', `/v1/consultations/${id}/start`, 'provider')
        .set('X-Request-Id', startId)
        .expect(200);
      expect(await eventOf(startId))
        .to.include({ action: 'update', actor_role: 'provider', outcome: 'success' })
        .and.to.deep.include({ patient_ids: [cast.patient.userId] });
    });

    it("records another patient's attempt as denied against the record's patient, and a 409 as an error", async () => {
      const id = await consultationIn(app.runtime, cast, 'completed');
      const deniedId = `c-denied-${randomUUID()}`;
      await call('GET', `/v1/consultations/${id}`, 'otherPatient').set('X-Request-Id', deniedId).expect(404);
      const denied = await eventOf(deniedId);
      expect(denied).to.include({
        action: 'read',
        actor_user_id: cast.otherPatient.userId,
        outcome: 'denied',
      });
      expect(denied.patient_ids).to.deep.equal([cast.patient.userId]);
      expect(denied.details).to.include({ status: 404 });

      const conflictId = `c-conflict-${randomUUID()}`;
      await call('POST', `/v1/consultations/${id}/cancel`, 'patient')
        .set('X-Request-Id', conflictId)
        .expect(409);
      expect(await eventOf(conflictId))
        .to.include({ action: 'update', outcome: 'error' })
        .and.to.deep.include({
          patient_ids: [cast.patient.userId],
        });
    });
  });
});
