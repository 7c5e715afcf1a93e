import { expect } from 'chai';
import { createConsultation } from '../../test/support/clinical-factories';
import type { Identity } from '../../test/support/identities';
import { itAnswersAsTheMatrixSays, type MatrixRow } from '../../test/support/route-matrix';
import { useTestApp } from '../../test/support/test-app';
import { AlertStripResponse, DashboardsResponse, PanelDataResponse } from './schemas';

type Caller = 'operator' | 'aal1Operator' | 'admin' | 'provider' | 'patient' | 'anonymous';

// A day no other test writes in, so the figures from SQL are exactly this dataset's.
const DAY_START = Date.parse('1998-03-02T00:00:00Z') / 1000;
const HOUR = 3600;
const at = (seconds: number) => new Date((DAY_START + seconds) * 1000);

describe('operations console data (embedded default: SQL)', () => {
  const app = useTestApp();
  let callers: Record<Caller, Identity | undefined>;
  let operator: Identity;

  before(async function () {
    this.timeout(60_000);
    const admin = await app.admin();
    operator = await app.operator({ admin });
    const patient = await app.patient();
    const provider = await app.provider({ admin, specialty: 'endocrinology' });
    callers = {
      operator,
      aal1Operator: await app.operator({ admin, withMfa: false }),
      admin,
      provider,
      patient,
      anonymous: undefined,
    };
    // Between 01:00 and 02:00: two completed (accepted after 60 s and 180 s), one expired.
    const completed = (requested: number, acceptedAfter: number) =>
      createConsultation(app.runtime.models, patient.userId, {
        status: 'completed',
        specialty: 'endocrinology',
        providerId: provider.userId,
        requestedAt: at(requested),
        acceptedAt: at(requested + acceptedAfter),
        startedAt: at(requested + acceptedAfter + 30),
        endedAt: at(requested + 1200),
      });
    await completed(HOUR + 60, 60);
    await completed(HOUR + 120, 180);
    await createConsultation(app.runtime.models, patient.userId, {
      status: 'expired',
      specialty: 'endocrinology',
      requestedAt: at(HOUR + 100),
      endedAt: at(HOUR + 1900),
    });
  });

  const as = (who: Identity | undefined) => (who ? who.headers : {});
  const range = `from=${DAY_START}&to=${DAY_START + 6 * HOUR}&step=${HOUR}`;
  const panelAs = (who: Identity | undefined, id: string, query = range) =>
    app.http().get(`/v1/ops/panels/${id}/data?${query}`).set(as(who));
  const panel = (id: string, query = range) => panelAs(operator, id, query);
  const consoleOnly = {
    operator: 200,
    aal1Operator: 403,
    admin: 200,
    provider: 403,
    patient: 403,
    anonymous: 401,
  };
  const rows = (): MatrixRow<Caller>[] => [
    {
      route: 'GET /v1/ops/dashboards',
      call: (who) => app.http().get('/v1/ops/dashboards').set(as(who)),
      expected: consoleOnly,
    },
    {
      route: 'GET /v1/ops/panels/:panelId/data',
      call: (who) => panelAs(who, 'healthcare-operations.completion-rate'),
      expected: consoleOnly,
    },
    {
      route: 'GET /v1/ops/alerts',
      call: (who) => app.http().get('/v1/ops/alerts').set(as(who)),
      expected: consoleOnly,
    },
  ];

  itAnswersAsTheMatrixSays(() => ({
    runtime: app.runtime,
    servedBy: 'GET /v1/ops/alerts',
    rows: rows(),
    callers,
  }));

  it('lists every dashboard of the catalog, and says the database answers the clinical panels', async () => {
    const body = DashboardsResponse.parse(
      (await app.http().get('/v1/ops/dashboards').set(operator.headers)).body,
    );
    expect(body.source).to.equal('database');
    expect(body.dashboards.map((d) => d.id)).to.include.members([
      'healthcare-operations',
      'slo',
      'hipaa-audit',
    ]);
    const ids = body.dashboards.flatMap((d) => d.rows.flatMap((row) => row.panels.map((p) => p.id)));
    expect(ids).to.include.members(body.databasePanels);
    expect(body.databasePanels).to.have.length(6);
  });

  it('computes time to acceptance p50/p95 and completion from the tables, on the hourly grid', async () => {
    const wait = PanelDataResponse.parse((await panel('healthcare-operations.time-to-acceptance')).body);
    expect(wait.source).to.equal('database');
    expect(wait.timestamps).to.deep.equal([0, 1, 2, 3, 4, 5, 6].map((h) => DAY_START + h * HOUR));
    const byName = Object.fromEntries(wait.series.map((s) => [s.name, s.values]));
    // percentile_cont of 60 s and 180 s: p50 = 120 s, p95 = 174 s.
    expect(byName['p50 endocrinology']?.[1]).to.equal(120);
    expect(byName['p95 endocrinology']?.[1]).to.be.closeTo(174, 0.001);
    expect(byName['p50 endocrinology']?.[0]).to.equal(null);

    const completion = PanelDataResponse.parse((await panel('healthcare-operations.completion-rate')).body);
    expect(completion.series).to.have.length(1);
    expect(completion.series[0]?.values[1]).to.be.closeTo(2 / 3, 1e-9);
  });

  it('counts transitions per minute and expired requests by specialty', async () => {
    const transitions = PanelDataResponse.parse(
      (await panel('healthcare-operations.consultation-transitions')).body,
    );
    const requested = transitions.series.find((s) => s.name === 'requested');
    expect(requested?.values[1]).to.be.closeTo((3 * 60) / HOUR, 1e-9);
    const expired = PanelDataResponse.parse(
      (await panel('healthcare-operations.expired-requests-last-hour')).body,
    );
    expect(expired.series.find((s) => s.name === 'endocrinology')?.values[1]).to.equal(1);
  });

  it('counts the providers available now by specialty, at the end of the range', async () => {
    const available = PanelDataResponse.parse(
      (await panel('healthcare-operations.providers-available-by-specialty')).body,
    );
    expect(available.source).to.equal('database');
    const drawn = available.series.filter((s) => s.values.some((v) => v !== null));
    for (const series of drawn) expect(series.values.slice(0, -1).every((v) => v === null)).to.equal(true);
  });

  it('says plainly that a platform panel needs Prometheus', async () => {
    const cpu = PanelDataResponse.parse((await panel('service-overview.cpu-usage')).body);
    expect(cpu.source).to.equal('unavailable');
    expect(cpu.notice).to.match(/PROMETHEUS_URL/);
    expect(cpu.series).to.deep.equal([]);
  });

  it('refuses an unknown panel (404), a range over 31 days and a malformed id (422)', async () => {
    expect((await panel('service-overview.no-such-panel')).status).to.equal(404);
    const long = await panel('healthcare-operations.completion-rate', `from=0&to=${40 * 24 * HOUR}`);
    expect(long.status).to.equal(422);
    expect(long.type).to.equal('application/problem+json');
    expect((await panel(encodeURIComponent('sum(up)'))).status).to.equal(422);
  });

  it('raises the expiring-requests patient-safety alert from the tables when nothing else is configured', async () => {
    const patient = await app.patient();
    await createConsultation(app.runtime.models, patient.userId, {
      status: 'expired',
      specialty: 'endocrinology',
      requestedAt: new Date(Date.now() - 40 * 60_000),
      endedAt: new Date(Date.now() - 60_000),
    });
    const strip = AlertStripResponse.parse(
      (await app.http().get('/v1/ops/alerts').set(operator.headers)).body,
    );
    expect(strip.source).to.equal('database');
    expect(strip.notice).to.match(/own tables/);
    const expiring = strip.alerts.find(
      (a) => a.name === 'CarewatchConsultationRequestsExpiring' && a.scope === 'endocrinology',
    );
    expect(expiring).to.include({ severity: 'critical', patientSafety: true, silenced: false });
    expect(expiring?.runbookUrl).to.match(/CarewatchConsultationRequestsExpiring\.md$/);
    expect(strip.alerts[0]?.patientSafety).to.equal(true);
  });
});
