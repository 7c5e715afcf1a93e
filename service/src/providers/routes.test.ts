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
import { encodeCursor } from '../platform/keyset-page';
import { ProviderProfileResponse } from './schemas';
import { useTestApp } from '../../test/support/test-app';

type Caller = 'provider' | 'otherProvider' | 'aal1Provider' | 'patient' | 'admin' | 'operator' | 'anonymous';

describe('provider routes', () => {
  const app = useTestApp();
  let callers: Record<Caller, Identity | undefined>;
  let provider: Identity;

  before(async function () {
    this.timeout(60_000);
    const admin = await app.admin();
    provider = await app.provider({ admin, specialty: 'cardiology' });
    callers = {
      provider,
      otherProvider: await app.provider({ admin, specialty: 'pediatrics' }),
      aal1Provider: await app.provider({ admin, withMfa: false }),
      patient: await app.patient(),
      admin,
      operator: await app.operator({ admin }),
      anonymous: undefined,
    };
  });

  const as = (who: Identity | undefined) => (who ? who.headers : {});
  const get = (path: string, who: Identity | undefined) => app.http().get(path).set(as(who));
  const etagOf = async (who: Identity | undefined) =>
    (await get('/v1/providers/me', who)).headers.etag ?? 'W/"1"';
  const patch = async (who: Identity | undefined, body: object, ifMatch?: string): Promise<Response> =>
    app
      .http()
      .patch('/v1/providers/me')
      .set(as(who))
      .set('If-Match', ifMatch ?? (await etagOf(who)))
      .send(body);
  const setAvailability = (who: Identity | undefined, body: object) =>
    app.http().put('/v1/providers/me/availability').set(as(who)).send(body);
  const providersOnly = {
    provider: 200,
    otherProvider: 200,
    aal1Provider: 403,
    patient: 403,
    admin: 403,
    operator: 403,
    anonymous: 401,
  };

  const rows = (): MatrixRow<Caller>[] => [
    { route: 'GET /v1/providers/me', call: (who) => get('/v1/providers/me', who), expected: providersOnly },
    {
      route: 'PATCH /v1/providers/me',
      call: (who) => patch(who, { acceptingPatients: true }),
      expected: providersOnly,
    },
    {
      route: 'PUT /v1/providers/me/availability',
      call: (who) => setAvailability(who, { availability: 'available' }),
      expected: providersOnly,
    },
    {
      route: 'GET /v1/providers/me/queue',
      call: (who) => get('/v1/providers/me/queue', who),
      expected: providersOnly,
    },
    {
      route: 'GET /v1/providers/me/consultations',
      call: (who) => get('/v1/providers/me/consultations', who),
      expected: providersOnly,
    },
  ];

  itAnswersAsTheMatrixSays(() => ({
    runtime: app.runtime,
    servedBy: 'GET /v1/providers/me',
    rows: rows(),
    callers,
  }));

  it('changes the profile only with the current ETag and valid fields, else nothing changes', async () => {
    const own = await app.provider();
    const before = await get('/v1/providers/me', own);
    expect(ProviderProfileResponse.parse(before.body).providerId).to.equal(own.userId);
    expect(before.headers.etag).to.equal(`W/"${before.body.version}"`);
    const missing = await app
      .http()
      .patch('/v1/providers/me')
      .set(own.headers)
      .send({ displayName: 'Dr. X' });
    expect(missing.status).to.equal(428);
    expect((await patch(own, { displayName: 'Dr. X' }, 'W/"99"')).status).to.equal(412);
    expect((await patch(own, { displayName: 'Dr. X' }, '*')).status).to.equal(400);
    const invalid = [
      {},
      { displayName: '' },
      { displayName: 'x'.repeat(201) },
      { acceptingPatients: 'yes' },
      { specialty: 'cardiology' },
      { licenseNumber: 'L-1' },
    ];
    for (const body of invalid) {
      const response = await patch(own, body);
      expect(response.status, JSON.stringify(body)).to.equal(422);
      expect(response.type).to.equal('application/problem+json');
    }
    expect((await get('/v1/providers/me', own)).body).to.deep.equal(before.body);
    const changed = await patch(own, { displayName: 'Dr. Renamed' }, before.headers.etag);
    expect(changed.status).to.equal(200);
    expect(changed.body).to.include({ displayName: 'Dr. Renamed', version: before.body.version + 1 });
    expect(changed.headers.etag).to.equal(`W/"${before.body.version + 1}"`);
  });

  it('sets the availability (last word wins) and refuses anything but the three values', async () => {
    const own = await app.provider();
    const busy = await setAvailability(own, { availability: 'busy' });
    expect(busy.status).to.equal(200);
    expect(busy.body.availability).to.equal('busy');
    expect(busy.headers.etag).to.equal(`W/"${busy.body.version}"`);
    for (const body of [
      {},
      { availability: 'away' },
      { availability: 1 },
      { availability: 'offline', x: 1 },
    ]) {
      const response = await setAvailability(own, body);
      expect(response.status, JSON.stringify(body)).to.equal(422);
    }
    expect((await get('/v1/providers/me', own)).body).to.deep.equal(busy.body);
  });

  it('lists the requests waiting in the own specialty, oldest first, naming no patient, and audits them', async () => {
    const start = new Date(Date.now() - 60_000);
    const patients = [await app.patient(), await app.patient()];
    const waiting: string[] = [];
    for (const [index, patient] of patients.entries())
      waiting.push(
        await createConsultation(app.runtime.models, patient.userId, {
          specialty: 'cardiology',
          requestedAt: new Date(start.getTime() + (index + 1) * 1000),
        }),
      );
    const elsewhere = await createConsultation(app.runtime.models, patients[0]!.userId, {
      specialty: 'pediatrics',
      requestedAt: new Date(start.getTime() + 500),
    });
    // Other tests add cardiology requests too: start the page just before these.
    const cursor = encodeCursor(start, '00000000-0000-0000-0000-000000000000');
    const requestId = newRequestId();
    const queue = await get(`/v1/providers/me/queue?limit=2&cursor=${cursor}`, provider).set(
      'X-Request-Id',
      requestId,
    );
    expect(queue.status).to.equal(200);
    expect(idsOf(queue)).to.deep.equal(waiting);
    expect(idsOf(queue)).to.not.include(elsewhere);
    expect(Object.keys(queue.body.items[0] as object).sort()).to.deep.equal([
      'expiresAt',
      'id',
      'requestedAt',
      'specialty',
    ]);
    const [event] = await auditRowsFor(app.runtime, requestId);
    expect(event).to.deep.include({ action: 'list', resource_type: 'Consultation', outcome: 'success' });
    expect(event!.patient_ids).to.have.members(patients.map((patient) => patient.userId));

    for (const query of ['limit=0', 'limit=101', 'cursor=bogus', 'specialty=pediatrics']) {
      const response = await get(`/v1/providers/me/queue?${query}`, provider);
      expect(response.status, query).to.equal(422);
    }
  });
});
