import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { auditRowsFor } from '../../test/support/audit';
import { createConsultation } from '../../test/support/clinical-factories';
import { type Identity } from '../../test/support/identities';
import { itAnswersAsTheMatrixSays, newRequestId, type MatrixRow } from '../../test/support/route-matrix';
import { PatientProfileResponse } from '../patients/schemas';
import { ProviderResponseTimesResponse, SpecialtySummaryResponse, VolumeReportResponse } from './schemas';
import { useTestApp } from '../../test/support/test-app';

type Caller = 'admin' | 'aal1Admin' | 'provider' | 'patient' | 'operator' | 'anonymous';

// A year no other test writes in with this specialty, so the report figures are exactly this dataset's.
const DAY = '1999-05-10';
const RANGE = `from=${DAY}&to=${DAY}&specialty=womens_health`;
const REASON = 'Patient unconscious in the emergency department, no proxy reachable';

describe('admin routes', () => {
  const app = useTestApp();
  let callers: Record<Caller, Identity | undefined>;
  let admin: Identity;
  let patient: Identity;
  let provider: Identity;

  before(async function () {
    this.timeout(60_000);
    admin = await app.admin();
    patient = await app.patient();
    provider = await app.provider({ admin, specialty: 'womens_health' });
    callers = {
      admin,
      aal1Admin: await app.admin({ withMfa: false }),
      provider,
      patient,
      operator: await app.operator({ admin }),
      anonymous: undefined,
    };
    const requestedAt = new Date(`${DAY}T10:00:00Z`);
    const seconds = (n: number) => new Date(requestedAt.getTime() + n * 1000);
    const seed = (status: 'completed' | 'cancelled', acceptedAfter: number, startedAfter: number | null) =>
      createConsultation(app.runtime.models, patient.userId, {
        status,
        specialty: 'womens_health',
        providerId: provider.userId,
        requestedAt,
        acceptedAt: seconds(acceptedAfter),
        startedAt: startedAfter === null ? null : seconds(startedAfter),
      });
    await seed('completed', 60, 120);
    await seed('completed', 120, 300);
    await seed('cancelled', 240, null);
  });

  const as = (who: Identity | undefined) => (who ? who.headers : {});
  const breakGlass = (who: Identity | undefined, body: object, patientId = patient.userId) =>
    app.http().post(`/v1/admin/patients/${patientId}/break-glass`).set(as(who)).send(body);
  const adminOnly = {
    admin: 200,
    aal1Admin: 403,
    provider: 403,
    patient: 403,
    operator: 403,
    anonymous: 401,
  };
  const report = (path: string) => (who: Identity | undefined) =>
    app.http().get(`/v1/admin/reports/${path}?${RANGE}`).set(as(who));
  const statusChange = (change: 'disable' | 'enable') => async (who: Identity | undefined) => {
    const target = await app.patient();
    return app.http().post(`/v1/admin/users/${target.userId}/${change}`).set(as(who));
  };

  const rows = (): MatrixRow<Caller>[] => [
    { route: 'GET /v1/admin/reports/volume', call: report('volume'), expected: adminOnly },
    { route: 'GET /v1/admin/reports/specialties', call: report('specialties'), expected: adminOnly },
    {
      route: 'GET /v1/admin/reports/provider-response',
      call: report('provider-response'),
      expected: adminOnly,
    },
    {
      route: 'POST /v1/admin/patients/:patientId/break-glass',
      call: (who) => breakGlass(who, { reason: REASON }),
      expected: adminOnly,
    },
    { route: 'POST /v1/admin/users/:id/disable', call: statusChange('disable'), expected: adminOnly },
    { route: 'POST /v1/admin/users/:id/enable', call: statusChange('enable'), expected: adminOnly },
  ];

  itAnswersAsTheMatrixSays(() => ({
    runtime: app.runtime,
    servedBy: 'POST /v1/admin/patients/:patientId/break-glass',
    rows: rows(),
    callers,
  }));

  it('reports volume, completion, acceptance and response times for the range and specialty', async () => {
    const volume = await report('volume')(admin);
    expect(VolumeReportResponse.parse(volume.body).rows).to.deep.equal([
      { day: DAY, specialty: 'womens_health', status: 'cancelled', count: 1 },
      { day: DAY, specialty: 'womens_health', status: 'completed', count: 2 },
    ]);
    const [summary] = SpecialtySummaryResponse.parse((await report('specialties')(admin)).body).rows;
    expect(summary).to.deep.include({ specialty: 'womens_health', requested: 3, completed: 2, finished: 3 });
    expect(summary!.completionRate).to.be.closeTo(2 / 3, 1e-9);
    expect(summary!.acceptanceP50Seconds).to.equal(120);
    expect(summary!.responseP50Seconds).to.equal(120);
    const times = ProviderResponseTimesResponse.parse((await report('provider-response')(admin)).body).rows;
    expect(times).to.deep.equal([
      {
        providerId: provider.userId,
        displayName: 'Dr. Test',
        specialty: 'womens_health',
        started: 2,
        responseP50Seconds: 120,
        responseP95Seconds: 174,
      },
    ]);
  });

  it('refuses report queries that are missing, malformed, reversed, too long or unknown (422)', async () => {
    const queries = [
      '',
      `from=${DAY}`,
      'from=1999-13-01&to=1999-12-31',
      'from=1999-05-10&to=1999-05-09',
      'from=1998-01-01&to=1999-01-02',
      `from=${DAY}&to=${DAY}&specialty=astrology`,
      `from=${DAY}&to=${DAY}&patientId=1`,
    ];
    for (const query of queries) {
      const response = await app.http().get(`/v1/admin/reports/volume?${query}`).set(admin.headers);
      expect(response.status, query).to.equal(422);
      expect(response.type).to.equal('application/problem+json');
    }
  });

  it('breaks the glass: the whole record, audited as break_glass without the reason anywhere', async () => {
    const requestId = newRequestId();
    const response = await breakGlass(admin, { reason: REASON }).set('X-Request-Id', requestId);
    expect(response.status).to.equal(200);
    expect(PatientProfileResponse.parse(response.body).patientId).to.equal(patient.userId);
    expect(response.headers['cache-control']).to.equal('no-store');
    const events = await auditRowsFor(app.runtime, requestId);
    expect(events).to.have.length(1);
    expect(events[0]).to.deep.include({
      action: 'break_glass',
      resource_type: 'Patient',
      patient_ids: [patient.userId],
      actor_user_id: admin.userId,
      outcome: 'success',
    });
    expect(JSON.stringify(events)).to.not.include('unconscious');
    expect(JSON.stringify(app.runtime.logLines())).to.not.include('unconscious');
  });

  it('refuses a bad reason or id (422), an unknown patient (404, denied) and a stale identity proof (403)', async () => {
    for (const body of [
      {},
      { reason: 'too short' },
      { reason: 'x'.repeat(501) },
      { reason: 42 },
      { reason: REASON, scope: 'all' },
    ]) {
      const response = await breakGlass(admin, body);
      expect(response.status, JSON.stringify(body)).to.equal(422);
      expect(response.type).to.equal('application/problem+json');
    }
    expect((await breakGlass(admin, { reason: REASON }, 'not-a-uuid')).status).to.equal(422);
    const requestId = newRequestId();
    const unknown = await breakGlass(admin, { reason: REASON }, '00000000-0000-4000-8000-000000000000').set(
      'X-Request-Id',
      requestId,
    );
    expect(unknown.status).to.equal(404);
    expect((await auditRowsFor(app.runtime, requestId))[0]).to.deep.include({
      action: 'break_glass',
      outcome: 'denied',
    });

    const late = await app.admin();
    const [session] = await app.runtime.sequelize.query<{ id: string }>(
      `UPDATE sessions SET step_up_at = now() - interval '10 minutes' WHERE user_id = $1 RETURNING id`,
      { bind: [late.userId], type: QueryTypes.SELECT },
    );
    await app.runtime.sessions.forget([session!.id]);
    const stale = await breakGlass(late, { reason: REASON });
    expect(stale.status).to.equal(403);
    expect(stale.body.code).to.equal('step_up_required');
  });
});
