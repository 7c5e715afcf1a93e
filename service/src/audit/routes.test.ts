import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { forbidden } from '../platform/errors';
import { tagged } from '../platform/route-metadata';
import { appWith } from '../../test/support/audit';
import type { AuditAction } from './model';
import type { AuditEventView } from './queries';
import type { AfterHoursRow, BreakGlassRow, HighVolumeRow } from './reports';
import { auditRoutes } from './routes';
import { useTestApp } from '../../test/support/test-app';

interface Page {
  items: AuditEventView[];
  nextCursor: string | null;
}
const page = (response: { body: unknown }) => response.body as Page;
const rows = <T>(response: { body: unknown }) => (response.body as { items: T[] }).items;

describe('the compliance API', () => {
  const testApp = useTestApp();
  let app: ReturnType<typeof appWith>;
  const adminId = randomUUID();
  const [nightOwl, dayWorker, patientA, patientB, patientC] = [
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
  ];
  // Test wiring of the caller's identity: the admin guard the lead passes in once auth exists.
  const asAdmin = tagged(
    async (ctx, next) => {
      ctx.state.auth = { userId: adminId, role: 'admin', sessionId: randomUUID(), aal: 'aal2' };
      await next();
    },
    { guard: 'test-admin' },
  );

  /** An event at a given time this week (Monday 00:00 UTC + offset), as the database records it. */
  const eventAt = (offset: string, actor: string, action: AuditAction, patients: string[]) =>
    testApp.runtime.sequelize.query(
      `INSERT INTO audit_events (occurred_at, actor_user_id, actor_role, action, event_type, resource_type, patient_ids, outcome)
       VALUES (date_trunc('week', now()) + $1::interval, $2, 'provider', $3, 'phi.' || $3, 'Patient', $4::uuid[], 'success')`,
      { bind: [offset, actor, action, patients] },
    );
  const get = (path: string) => request(app.callback()).get(`/v1/admin/audit${path}`);
  const week = () => {
    const monday = new Date();
    monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
    monday.setUTCHours(0, 0, 0, 0);
    return `from=${monday.toISOString()}&to=${new Date(monday.getTime() + 7 * 86_400_000).toISOString()}`;
  };

  before(async () => {
    app = appWith(testApp.runtime, [auditRoutes(testApp.runtime, asAdmin)]);
    await eventAt('2 hours', nightOwl, 'read', [patientA]);
    await eventAt('2 hours 5 minutes', nightOwl, 'list', [patientA, patientB, patientC]);
    await eventAt('12 hours', dayWorker, 'read', [patientA]);
    await eventAt('13 hours', dayWorker, 'break_glass', [patientB]);
  });

  it("lists a patient's events newest first, by key pages, and audits the query against that patient", async () => {
    const first = page(
      await get(`/events?patientId=${patientA}&limit=2`)
        .set('X-Request-Id', 'audit-query-page-1')
        .expect(200),
    );
    expect(first.items.map((e) => e.actorUserId)).to.deep.equal([dayWorker, nightOwl]);
    expect(first.nextCursor).to.be.a('string');
    const second = page(
      await get(`/events?patientId=${patientA}&limit=2&cursor=${first.nextCursor}`).expect(200),
    );
    expect(second.items.map((e) => e.action)).to.deep.equal(['read']);
    expect(second.nextCursor).to.equal(null);

    const [own] = page(await get(`/events?userId=${adminId}&action=list`).expect(200)).items;
    expect(own).to.include({ resourceType: 'AuditEvent', actorRole: 'admin' });
    const logged = page(
      await get(`/events?patientId=${patientA}&userId=${adminId}&limit=500`).expect(200),
    ).items;
    expect(logged.map((e) => e.requestId)).to.include('audit-query-page-1');
  });

  it('filters by user, action and time range', async () => {
    const byUser = page(await get(`/events?userId=${dayWorker}`).expect(200));
    expect(byUser.items.map((e) => e.action)).to.deep.equal(['break_glass', 'read']);
    const byAction = page(await get(`/events?userId=${nightOwl}&action=list`).expect(200));
    expect(byAction.items).to.have.length(1);
    const future = page(
      await get(
        `/events?userId=${nightOwl}&from=${new Date(Date.now() + 8 * 86_400_000).toISOString()}`,
      ).expect(200),
    );
    expect(future.items).to.deep.equal([]);
  });

  it('rejects a malformed filter with 422 problem+json', async () => {
    const response = await get('/events?patientId=not-a-uuid').expect(422);
    expect(response.headers['content-type']).to.match(/problem\+json/);
  });

  it('exports as streamed NDJSON and CSV, and audits the export', async () => {
    const ndjson = await get(`/events/export?patientId=${patientB}&format=ndjson`)
      .set('X-Request-Id', 'audit-export-ndjson')
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => done(null, text));
      })
      .expect(200);
    expect(ndjson.headers['content-type']).to.match(/application\/x-ndjson/);
    const lines = (ndjson.body as string)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { actorUserId: string });
    expect(lines.map((line) => line.actorUserId)).to.include.members([dayWorker, nightOwl]);

    const csv = await get(`/events/export?userId=${nightOwl}&format=csv`).expect(200);
    const rows = csv.text.trim().split('\n');
    expect(rows[0]).to.match(/^seq,occurredAt,actorUserId,actorRole,action/);
    expect(rows).to.have.length(3);
    expect(rows[1]).to.contain(`${patientA};${patientB};${patientC}`);

    const exports = page(await get(`/events?userId=${adminId}&action=export`).expect(200)).items;
    expect(exports.find((e) => e.requestId === 'audit-export-ndjson')?.patientIds).to.deep.equal([patientB]);
  });

  it('exports every matching event, past the first page the export reads', async () => {
    const busy = randomUUID();
    await testApp.runtime.sequelize.query(
      `INSERT INTO audit_events (actor_user_id, actor_role, action, event_type, resource_type, outcome)
       SELECT $1, 'provider', 'read', 'phi.read', 'Patient', 'success' FROM generate_series(1, 1201)`,
      { bind: [busy] },
    );
    const csv = await get(`/events/export?userId=${busy}&format=csv`).expect(200);
    const seqs = csv.text
      .trim()
      .split('\n')
      .slice(1)
      .map((row) => row.split(',')[0]);
    expect(new Set(seqs).size).to.equal(1201);
  });

  it('reports after-hours access, unusually many patients per user and window, and break-glass uses', async () => {
    const afterHours = rows<AfterHoursRow>(
      await get(`/reports/after-hours?${week()}&startHour=7&endHour=19`).expect(200),
    );
    expect(afterHours.find((row) => row.actorUserId === nightOwl)).to.include({ events: 2, patients: 3 });
    expect(afterHours.map((row) => row.actorUserId)).not.to.include(dayWorker);

    const volume = rows<HighVolumeRow>(
      await get(`/reports/high-volume?${week()}&windowMinutes=60&threshold=3`).expect(200),
    );
    expect(volume.map((row) => row.actorUserId))
      .to.include(nightOwl)
      .and.not.to.include(dayWorker);

    const breakGlass = rows<BreakGlassRow>(await get(`/reports/break-glass?${week()}`).expect(200));
    const uses = breakGlass.filter((row) => row.actorUserId === dayWorker);
    expect(uses.map((row) => row.patientIds)).to.deep.equal([[patientB]]);
  });

  it("reports after-hours access in the caller's time zone, and refuses an unknown zone or a missing range", async () => {
    // Monday 02:00 UTC is 11:00 in Tokyo (working hours); Monday 12:00 UTC is 21:00 there (after hours).
    const tokyo = rows<AfterHoursRow>(
      await get(`/reports/after-hours?${week()}&timeZone=Asia/Tokyo`).expect(200),
    ).map((row) => row.actorUserId);
    expect(tokyo).to.include(dayWorker).and.not.to.include(nightOwl);

    for (const path of [
      `/reports/after-hours?${week()}&timeZone=Mars/Olympus_Mons`,
      '/reports/break-glass',
      `/reports/high-volume?${week()}&threshold=0`,
    ]) {
      const response = await get(path).expect(422);
      expect(response.headers['content-type']).to.match(/problem\+json/);
    }
  });

  it('runs the verifier on demand', async () => {
    const response = await get('/verify').expect(200);
    expect(response.body as object).to.include({ ok: true, problem: null });
  });

  it('puts the export guards in front of the export only', async () => {
    const refuse = tagged(() => Promise.reject(forbidden()), { guard: 'refuse-export' });
    const guarded = appWith(testApp.runtime, [
      auditRoutes({ ...testApp.runtime, exportGuards: [refuse] }, asAdmin),
    ]);
    await request(guarded.callback()).get('/v1/admin/audit/events/export').expect(403);
    await request(guarded.callback()).get('/v1/admin/audit/events').expect(200);
  });

  it("puts the caller's guard in front of every route", async () => {
    const refuse = tagged(() => Promise.reject(forbidden()), { guard: 'refuse' });
    const guarded = appWith(testApp.runtime, [auditRoutes(testApp.runtime, refuse)]);
    for (const path of ['/events', '/events/export', '/reports/break-glass', '/break-glass', '/verify']) {
      await request(guarded.callback()).get(`/v1/admin/audit${path}`).expect(403);
    }
  });
});
