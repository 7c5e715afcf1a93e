import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { auditRowsFor } from '../../test/support/audit';
import {
  consultationIn,
  createCast,
  expireStepUp,
  headersOf,
  prescriptionOf,
  statusOf,
  stepUp,
  ONLY_ITS_PROVIDER,
  routeNamesOf,
  type CallerName,
  type Cast,
} from '../../test/support/clinical-http';
import { prescriptionRoutes } from './routes';
import { useTestApp } from '../../test/support/test-app';

const DRUG = { medication: 'Amoxicillin 500 mg', dosage: 'One capsule three times a day', quantity: 21 };

interface MatrixRow {
  readonly route: string;
  /** A fresh prescription (`prescription`) or consultation (`consultation`) per call. */
  readonly needs: 'prescription' | 'consultation' | 'nothing';
  /** The prescription's status before the call. */
  readonly from?: 'issued' | 'sent';
  readonly expected: Readonly<Record<CallerName, number>>;
}

const MATRIX: readonly MatrixRow[] = [
  { route: 'POST /prescriptions', needs: 'consultation', expected: { ...ONLY_ITS_PROVIDER, provider: 201 } },
  {
    route: 'GET /prescriptions',
    needs: 'nothing',
    // Each sees their own list (possibly empty): nobody learns of anyone else's prescriptions.
    expected: { ...ONLY_ITS_PROVIDER, patient: 200, otherPatient: 200, otherProvider: 200 },
  },
  { route: 'POST /prescriptions/:id/send', needs: 'prescription', expected: ONLY_ITS_PROVIDER },
  { route: 'POST /prescriptions/:id/fill', needs: 'prescription', from: 'sent', expected: ONLY_ITS_PROVIDER },
  {
    route: 'POST /prescriptions/:id/cancel',
    needs: 'prescription',
    expected: { ...ONLY_ITS_PROVIDER, admin: 200 },
  },
];

describe('prescription routes', () => {
  const app = useTestApp();
  let cast: Cast;

  before(async function () {
    this.timeout(60_000);
    cast = await createCast(app.runtime);
  });

  const post = (path: string, caller: CallerName, body: object = {}) =>
    app.http().post(path).set(headersOf(cast, caller)).send(body);

  describe('authorization', () => {
    it('has a matrix row for every route of the router', () => {
      expect(MATRIX.map((row) => row.route)).to.have.members(
        routeNamesOf(prescriptionRoutes(app.runtime.clinical)),
      );
    });

    for (const row of MATRIX) {
      it(`${row.route}: ${JSON.stringify(row.expected)}`, async () => {
        // The method is in the route name; each kind of row below calls it (POST, or GET for the list).
        const template = row.route.split(' ')[1]!;
        const answered: Record<string, number> = {};
        for (const caller of Object.keys(row.expected) as CallerName[]) {
          let response;
          if (row.needs === 'consultation') {
            const consultationId = await consultationIn(app.runtime, cast, 'in_progress');
            response = await post(`/v1${template}`, caller, { consultationId, ...DRUG });
          } else if (row.needs === 'prescription') {
            const { id } = await prescriptionOf(app.runtime, cast);
            if (row.from === 'sent') await post(`/v1/prescriptions/${id}/send`, 'provider').expect(200);
            response = await post(`/v1${template.replace(':id', id)}`, caller);
            if (response.status >= 400)
              expect((await statusOf(app.runtime, 'prescriptions', id))?.status).to.equal(
                row.from ?? 'issued',
              );
          } else {
            response = await app.http().get(`/v1${template}`).set(headersOf(cast, caller));
          }
          answered[caller] = response.status;
          if (response.status >= 400) expect(response.type).to.equal('application/problem+json');
        }
        expect(answered).to.deep.equal(row.expected);
      });
    }
  });

  describe('writing', () => {
    it('needs a recent step-up: without one 403 step_up_required, after POST /auth/step-up 201', async () => {
      const consultationId = await consultationIn(app.runtime, cast, 'completed');
      await expireStepUp(app.runtime, cast.provider);
      const refused = await post('/v1/prescriptions', 'provider', { consultationId, ...DRUG });
      expect(refused.status).to.equal(403);
      expect(refused.body.code).to.equal('step_up_required');
      expect(await app.runtime.models.Prescription.count({ where: { consultationId } })).to.equal(0);

      await stepUp(app.runtime, cast.provider);
      const written = await post('/v1/prescriptions', 'provider', { consultationId, ...DRUG });
      expect(written.status).to.equal(201);
      expect(written.body).to.include({
        consultationId,
        patientId: cast.patient.userId,
        providerId: cast.provider.userId,
        status: 'issued',
        refills: 0,
        ...DRUG,
      });
      expect(written.headers.etag).to.equal(`W/"${written.body.version}"`);
    });

    it('refuses a consultation that is not in progress or completed with 409', async () => {
      for (const status of ['requested', 'accepted', 'cancelled'] as const) {
        const consultationId = await consultationIn(app.runtime, cast, status);
        const response = await post('/v1/prescriptions', 'provider', { consultationId, ...DRUG });
        expect(response.status, status).to.equal(status === 'requested' ? 404 : 409);
      }
    });

    it('refuses malformed prescriptions with 422 and writes nothing', async () => {
      const consultationId = await consultationIn(app.runtime, cast, 'in_progress');
      const bodies = [
        {},
        { ...DRUG },
        { consultationId: 'nope', ...DRUG },
        { consultationId, ...DRUG, quantity: 0 },
        { consultationId, ...DRUG, quantity: '21' },
        { consultationId, ...DRUG, refills: 13 },
        { consultationId, ...DRUG, medication: 'x'.repeat(201) },
        { consultationId, ...DRUG, dosage: '' },
        { consultationId, ...DRUG, status: 'filled' },
      ];
      for (const body of bodies) {
        const response = await post('/v1/prescriptions', 'provider', body);
        expect(response.status, JSON.stringify(body).slice(0, 80)).to.equal(422);
        expect(response.type).to.equal('application/problem+json');
      }
      expect(await app.runtime.models.Prescription.count({ where: { consultationId } })).to.equal(0);
    });
  });

  describe('listing and status changes', () => {
    it('lists a patient their own and a provider the ones they wrote, by key pages', async () => {
      const written = [await prescriptionOf(app.runtime, cast), await prescriptionOf(app.runtime, cast)];
      const ids = written.map((p) => p.id);
      const first = await app.http().get('/v1/prescriptions?limit=1').set(cast.patient.headers).expect(200);
      expect(first.body.items).to.have.length(1);
      expect(first.body.items[0].id).to.equal(ids[1]);
      const second = await app
        .http()
        .get(`/v1/prescriptions?limit=1&cursor=${first.body.nextCursor}`)
        .set(cast.patient.headers)
        .expect(200);
      expect(second.body.items[0].id).to.equal(ids[0]);
      const mine = await app.http().get('/v1/prescriptions?limit=100').set(cast.provider.headers).expect(200);
      expect((mine.body.items as { id: string }[]).map((p) => p.id)).to.include.members(ids);
      const others = await app.http().get('/v1/prescriptions').set(cast.otherPatient.headers).expect(200);
      expect(others.body).to.deep.equal({ items: [], nextCursor: null });
      for (const query of ['limit=0', 'limit=101', 'limit=x', 'cursor=garbage', 'sort=asc'])
        expect(
          (await app.http().get(`/v1/prescriptions?${query}`).set(cast.patient.headers)).status,
          query,
        ).to.equal(422);
    });

    it('moves issued -> sent -> filled, and answers 409 to a move the status does not allow', async () => {
      const { id } = await prescriptionOf(app.runtime, cast);
      expect((await post(`/v1/prescriptions/${id}/fill`, 'provider')).status).to.equal(409);
      expect((await post(`/v1/prescriptions/${id}/send`, 'provider')).body.status).to.equal('sent');
      expect((await post(`/v1/prescriptions/${id}/fill`, 'provider')).body.status).to.equal('filled');
      const before = await statusOf(app.runtime, 'prescriptions', id);
      const cancel = await post(`/v1/prescriptions/${id}/cancel`, 'provider');
      expect(cancel.status).to.equal(409);
      expect(cancel.body.code).to.equal('invalid_transition');
      expect((await post(`/v1/prescriptions/${id}/send`, 'provider', { to: 'x' })).status).to.equal(422);
      expect((await post('/v1/prescriptions/not-a-uuid/send', 'provider')).status).to.equal(422);
      expect(await statusOf(app.runtime, 'prescriptions', id)).to.deep.equal(before);
    });
  });

  describe('the audit trail', () => {
    it('records writes, lists and refusals against the patient', async () => {
      const consultationId = await consultationIn(app.runtime, cast, 'in_progress');
      const writeId = `p-write-${randomUUID()}`;
      const written = await post('/v1/prescriptions', 'provider', { consultationId, ...DRUG })
        .set('X-Request-Id', writeId)
        .expect(201);
      const [write] = await auditRowsFor(app.runtime, writeId);
      expect(write).to.include({ action: 'create', resource_type: 'Prescription', outcome: 'success' });
      expect(write).to.deep.include({ patient_ids: [cast.patient.userId], resource_ids: [written.body.id] });

      const listId = `p-list-${randomUUID()}`;
      await app
        .http()
        .get('/v1/prescriptions')
        .set(cast.provider.headers)
        .set('X-Request-Id', listId)
        .expect(200);
      const [list] = await auditRowsFor(app.runtime, listId);
      expect(list).to.include({ action: 'list', actor_user_id: cast.provider.userId });
      expect(list!.patient_ids).to.include(cast.patient.userId);

      const deniedId = `p-denied-${randomUUID()}`;
      await post(`/v1/prescriptions/${written.body.id}/send`, 'otherProvider')
        .set('X-Request-Id', deniedId)
        .expect(404);
      const [denied] = await auditRowsFor(app.runtime, deniedId);
      expect(denied).to.include({
        action: 'update',
        outcome: 'denied',
        actor_user_id: cast.otherProvider.userId,
      });
      expect(denied).to.deep.include({ patient_ids: [cast.patient.userId], resource_ids: [written.body.id] });

      const strangerWriteId = `p-denied-write-${randomUUID()}`;
      await post('/v1/prescriptions', 'otherProvider', { consultationId, ...DRUG })
        .set('X-Request-Id', strangerWriteId)
        .expect(404);
      const [strangerWrite] = await auditRowsFor(app.runtime, strangerWriteId);
      expect(strangerWrite).to.include({ action: 'create', outcome: 'denied' });
      expect(strangerWrite!.patient_ids).to.deep.equal([cast.patient.userId]);
    });
  });
});
