import { expect } from 'chai';
import type { Response } from 'supertest';
import { auditRowsFor } from '../../test/support/audit';
import { createConsultation } from '../../test/support/clinical-factories';
import { type Identity } from '../../test/support/identities';
import {
  idsOf,
  itAnswersAsTheMatrixSays,
  newRequestId,
  type MatrixRow,
} from '../../test/support/route-matrix';
import { PatientClinicalResponse, PatientProfileResponse } from './schemas';
import { useTestApp } from '../../test/support/test-app';

type Caller =
  | 'owner'
  | 'otherPatient'
  | 'provider'
  | 'unrelatedProvider'
  | 'aal1Provider'
  | 'admin'
  | 'operator'
  | 'anonymous';

describe('patient routes', () => {
  const app = useTestApp();
  let callers: Record<Caller, Identity | undefined>;
  let owner: Identity;
  let provider: Identity;

  before(async function () {
    this.timeout(60_000);
    const admin = await app.admin();
    owner = await app.patient();
    provider = await app.provider({ admin });
    const aal1Provider = await app.provider({ admin, withMfa: false });
    callers = {
      owner,
      otherPatient: await app.patient(),
      provider,
      unrelatedProvider: await app.provider({ admin }),
      aal1Provider,
      admin,
      operator: await app.operator({ admin }),
      anonymous: undefined,
    };
    // Both providers have the relationship: aal1Provider is refused for its assurance level alone.
    for (const caring of [provider, aal1Provider])
      await createConsultation(app.runtime.models, owner.userId, {
        providerId: caring.userId,
        status: 'accepted',
      });
  });

  const as = (who: Identity | undefined) => (who ? who.headers : {});
  const get = (path: string, who: Identity | undefined) => app.http().get(path).set(as(who));
  const etagOf = async (who: Identity | undefined) =>
    (await get('/v1/patients/me', who)).headers.etag ?? 'W/"1"';
  const patch = async (who: Identity | undefined, body: object, ifMatch?: string): Promise<Response> => {
    const request = app.http().patch('/v1/patients/me').set(as(who));
    return request.set('If-Match', ifMatch ?? (await etagOf(who))).send(body);
  };
  const ownOnly = { owner: 200, otherPatient: 200, provider: 403, unrelatedProvider: 403 } as const;
  const patientOnly = { ...ownOnly, aal1Provider: 403, admin: 403, operator: 403, anonymous: 401 };

  const rows = (): MatrixRow<Caller>[] => [
    { route: 'GET /v1/patients/me', call: (who) => get('/v1/patients/me', who), expected: patientOnly },
    {
      route: 'PATCH /v1/patients/me',
      call: (who) => patch(who, { phone: '+1 555 0199' }),
      expected: patientOnly,
    },
    {
      route: 'GET /v1/patients/me/consultations',
      call: (who) => get('/v1/patients/me/consultations', who),
      expected: patientOnly,
    },
    {
      route: 'GET /v1/patients/me/prescriptions',
      call: (who) => get('/v1/patients/me/prescriptions', who),
      expected: patientOnly,
    },
    {
      route: 'GET /v1/patients/:patientId',
      call: (who) => get(`/v1/patients/${owner.userId}`, who),
      expected: {
        owner: 403,
        otherPatient: 403,
        provider: 200,
        unrelatedProvider: 404,
        aal1Provider: 403,
        admin: 403,
        operator: 403,
        anonymous: 401,
      },
    },
  ];

  itAnswersAsTheMatrixSays(() => ({
    runtime: app.runtime,
    servedBy: 'GET /v1/patients/me',
    rows: rows(),
    callers,
  }));

  it('reads the own profile with its version as ETag, and a provider sees no insurance or billing', async () => {
    const me = await get('/v1/patients/me', owner);
    expect(me.headers.etag).to.equal(`W/"${me.body.version}"`);
    expect(PatientProfileResponse.parse(me.body).patientId).to.equal(owner.userId);
    const seen = await get(`/v1/patients/${owner.userId}`, provider);
    expect(PatientClinicalResponse.parse(seen.body)).to.deep.include({ patientId: owner.userId });
    expect(seen.body).to.not.have.any.keys('insurance', 'subscription');
  });

  it('updates the profile only with the current ETag: 428 without, 412 stale, 400 malformed', async () => {
    const patient = await app.patient();
    const before = await get('/v1/patients/me', patient);
    const missing = await app.http().patch('/v1/patients/me').set(patient.headers).send({ phone: null });
    expect(missing.status).to.equal(428);
    expect(missing.body.code).to.equal('if_match_required');
    expect((await patch(patient, { phone: null }, 'version-1')).status).to.equal(400);
    const updated = await patch(patient, { conditions: ['asthma'] }, before.headers.etag);
    expect(updated.status).to.equal(200);
    expect(updated.headers.etag).to.equal(`W/"${before.body.version + 1}"`);
    expect(updated.body.conditions).to.deep.equal(['asthma']);
    const stale = await patch(patient, { phone: null }, before.headers.etag);
    expect(stale.status).to.equal(412);
    expect(stale.type).to.equal('application/problem+json');
    expect((await get('/v1/patients/me', patient)).body).to.deep.equal(updated.body);
  });

  it('refuses invalid profile changes with 422 and changes nothing', async () => {
    const patient = await app.patient();
    const before = (await get('/v1/patients/me', patient)).body;
    const invalid = [
      {},
      { givenName: 5 },
      { givenName: 'x'.repeat(101) },
      { allergies: Array.from({ length: 51 }, () => 'dust') },
      { dateOfBirth: '2999-01-01' },
      { subscriptionPlan: 'premium' },
      { patientId: owner.userId },
    ];
    for (const body of invalid) {
      const response = await patch(patient, body);
      expect(response.status, JSON.stringify(body)).to.equal(422);
      expect(response.type).to.equal('application/problem+json');
    }
    expect((await get('/v1/patients/me', patient)).body).to.deep.equal(before);
  });

  it('pages the own consultations and prescriptions by key, newest first, without free text', async () => {
    const patient = await app.patient();
    const ids: string[] = [];
    for (const minutesAgo of [30, 20, 10])
      ids.push(
        await createConsultation(app.runtime.models, patient.userId, {
          requestedAt: new Date(Date.now() - minutesAgo * 60_000),
        }),
      );
    const first = await get('/v1/patients/me/consultations?limit=2', patient);
    expect(idsOf(first)).to.deep.equal([ids[2], ids[1]]);
    expect(first.body.items[0]).to.not.have.any.keys('reason', 'notes');
    const cursor = encodeURIComponent(first.body.nextCursor as string);
    const second = await get(`/v1/patients/me/consultations?limit=2&cursor=${cursor}`, patient);
    expect(idsOf(second)).to.deep.equal([ids[0]]);
    expect(second.body.nextCursor).to.equal(null);

    const consultationId = await createConsultation(app.runtime.models, patient.userId, {
      providerId: provider.userId,
      status: 'in_progress',
    });
    const written = await app.runtime.clinical.prescriptions.write(
      { userId: provider.userId, role: 'provider' },
      { consultationId, medication: 'Amoxicillin', dosage: '500 mg', quantity: 21, refills: 0 },
    );
    const prescriptions = await get('/v1/patients/me/prescriptions', patient);
    expect(idsOf(prescriptions)).to.deep.equal([written.id]);
    expect(prescriptions.body.nextCursor).to.equal(null);
    // Another patient's list does not show it.
    expect((await get('/v1/patients/me/prescriptions', owner)).body.items).to.deep.equal([]);
  });

  it('refuses bad page queries with 422', async () => {
    for (const path of ['/v1/patients/me/consultations', '/v1/patients/me/prescriptions']) {
      for (const query of [
        'limit=0',
        'limit=abc',
        'limit=1000',
        'cursor=bogus',
        'sort=asc',
        `cursor=${'x'.repeat(201)}`,
      ]) {
        const response = await get(`${path}?${query}`, owner);
        expect(response.status, `${path}?${query}`).to.equal(422);
        expect(response.type).to.equal('application/problem+json');
      }
    }
    expect((await get('/v1/patients/not-a-uuid', provider)).status).to.equal(422);
  });

  it('audits each route with action, resource type, patient and outcome', async () => {
    const audit = async (call: (requestId: string) => Promise<Response>) => {
      const requestId = newRequestId();
      await call(requestId);
      const [row] = await auditRowsFor(app.runtime, requestId);
      return (
        row && {
          action: row.action,
          type: row.resource_type,
          patients: row.patient_ids,
          outcome: row.outcome,
        }
      );
    };
    const withId = (path: string, who: Identity) => (requestId: string) =>
      get(path, who).set('X-Request-Id', requestId);
    const ownerOnly = [owner.userId];
    expect(await audit(withId('/v1/patients/me', owner))).to.deep.equal({
      action: 'read',
      type: 'Patient',
      patients: ownerOnly,
      outcome: 'success',
    });
    expect(
      await audit(async (requestId) =>
        app
          .http()
          .patch('/v1/patients/me')
          .set(owner.headers)
          .set('X-Request-Id', requestId)
          .set('If-Match', await etagOf(owner))
          .send({ medications: ['albuterol'] }),
      ),
    ).to.deep.equal({ action: 'update', type: 'Patient', patients: ownerOnly, outcome: 'success' });
    expect(await audit(withId('/v1/patients/me/consultations', owner))).to.deep.equal({
      action: 'list',
      type: 'Consultation',
      patients: ownerOnly,
      outcome: 'success',
    });
    expect(await audit(withId('/v1/patients/me/prescriptions', owner))).to.deep.equal({
      action: 'list',
      type: 'Prescription',
      patients: ownerOnly,
      outcome: 'success',
    });
    expect(await audit(withId(`/v1/patients/${owner.userId}`, provider))).to.deep.equal({
      action: 'read',
      type: 'Patient',
      patients: ownerOnly,
      outcome: 'success',
    });
    expect(await audit(withId(`/v1/patients/${owner.userId}`, callers.unrelatedProvider!))).to.deep.equal({
      action: 'read',
      type: 'Patient',
      patients: ownerOnly,
      outcome: 'denied',
    });
  });
});
