import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { BreakGlassReasonsResponse } from '../audit/schemas';
import { auditRowsFor } from '../../test/support/audit';
import { type Identity } from '../../test/support/identities';
import { newRequestId } from '../../test/support/route-matrix';
import { useTestApp } from '../../test/support/test-app';

interface KeptRow {
  actor_user_id: string;
  patient_id: string;
  request_id: string | null;
  reason: string;
}

/** A reason with a word no other test writes, so that any copy of it anywhere is found. */
const statedReason = () => {
  const marker = `Zebulonqx${randomBytes(6).toString('hex')}`;
  return { marker, reason: `Unconscious in the emergency department, ${marker}, no proxy reachable` };
};

describe('break-glass reasons', () => {
  const app = useTestApp();
  let admin: Identity;
  let patient: Identity;

  before(async function () {
    this.timeout(60_000);
    admin = await app.admin();
    patient = await app.patient();
  });

  const breakGlass = (reason: string, requestId: string, patientId = patient.userId) =>
    app
      .http()
      .post(`/v1/admin/patients/${patientId}/break-glass`)
      .set(admin.headers)
      .set('X-Request-Id', requestId)
      .send({ reason });
  const keptReasons = (who: Identity | undefined, query: Record<string, string | number>) =>
    app
      .http()
      .get('/v1/admin/audit/break-glass')
      .query(query)
      .set(who ? who.headers : {});
  const keptRow = async (id: unknown) =>
    (
      await app.runtime.sequelize.query<KeptRow>('SELECT * FROM break_glass_reasons WHERE id = $1', {
        bind: [id],
        type: QueryTypes.SELECT,
      })
    )[0];
  /** The log lines written while `work` ran. */
  const loggedDuring = async <T>(work: () => Promise<T>) => {
    const before = app.runtime.logLines().length;
    const result = await work();
    return { result, lines: app.runtime.logLines().slice(before) };
  };

  it('keeps the reason encrypted, named by a break-glass event marked high severity', async () => {
    const { marker, reason } = statedReason();
    const requestId = newRequestId();
    const { result, lines } = await loggedDuring(() => breakGlass(reason, requestId));
    expect(result.status).to.equal(200);

    const events = await auditRowsFor(app.runtime, requestId);
    expect(events).to.have.length(1);
    expect(events[0]!.details).to.include({ severity: 'high' });
    const kept = await keptRow(events[0]!.details.breakGlassId);
    expect(kept).to.deep.include({
      actor_user_id: admin.userId,
      patient_id: patient.userId,
      request_id: requestId,
    });
    expect(kept!.reason).to.match(/^v1\./);
    expect(kept!.reason).not.to.include(marker);
    expect(JSON.stringify(events)).not.to.include(marker);
    expect(lines).not.to.be.empty;
    expect(JSON.stringify(lines)).not.to.include(marker);
  });

  it('keeps the reason of a refused attempt too, and marks its event high severity', async () => {
    const { reason } = statedReason();
    const requestId = newRequestId();
    const unknown = '00000000-0000-4000-8000-00000000b6a5';
    expect((await breakGlass(reason, requestId, unknown)).status).to.equal(404);
    const [event] = await auditRowsFor(app.runtime, requestId);
    expect(event).to.deep.include({ action: 'break_glass', outcome: 'denied' });
    expect(event!.details).to.include({ severity: 'high' });
    expect(await keptRow(event!.details.breakGlassId)).to.deep.include({ patient_id: unknown });
  });

  it('shows the reason, decrypted, to an admin at aal2, and audits that read', async () => {
    const { marker, reason } = statedReason();
    await breakGlass(reason, newRequestId());
    const requestId = newRequestId();
    const { result, lines } = await loggedDuring(() =>
      keptReasons(admin, { patientId: patient.userId }).set('X-Request-Id', requestId),
    );
    expect(result.status).to.equal(200);
    expect(result.headers['cache-control']).to.equal('no-store');
    const [newest] = BreakGlassReasonsResponse.parse(result.body).items;
    expect(newest).to.deep.include({ reason, patientId: patient.userId, actorUserId: admin.userId });

    const events = await auditRowsFor(app.runtime, requestId);
    expect(events).to.have.length(1);
    expect(events[0]).to.deep.include({
      action: 'list',
      resource_type: 'BreakGlassReason',
      patient_ids: [patient.userId],
      actor_user_id: admin.userId,
      outcome: 'success',
    });
    expect(JSON.stringify(events)).not.to.include(marker);
    expect(lines).not.to.be.empty;
    expect(JSON.stringify(lines)).not.to.include(marker);
  });

  it('pages newest first by cursor, filtered by patient and user', async () => {
    const someone = await app.patient();
    const [first, second] = [statedReason().reason, statedReason().reason];
    expect((await breakGlass(first, newRequestId(), someone.userId)).status).to.equal(200);
    expect((await breakGlass(second, newRequestId(), someone.userId)).status).to.equal(200);

    const filter = { patientId: someone.userId, userId: admin.userId, limit: 1 };
    const page1 = BreakGlassReasonsResponse.parse((await keptReasons(admin, filter)).body);
    expect(page1.items.map((item) => item.reason)).to.deep.equal([second]);
    expect(page1.nextCursor).to.be.a('string');
    const page2 = BreakGlassReasonsResponse.parse(
      (await keptReasons(admin, { ...filter, cursor: page1.nextCursor! })).body,
    );
    expect(page2.items.map((item) => item.reason)).to.deep.equal([first]);
    expect(page2.nextCursor).to.equal(null);
  });

  it('filters by user and by time range', async () => {
    const someone = await app.patient();
    const { reason } = statedReason();
    expect((await breakGlass(reason, newRequestId(), someone.userId)).status).to.equal(200);
    const reasonsOf = async (query: Record<string, string>) =>
      BreakGlassReasonsResponse.parse(
        (await keptReasons(admin, { patientId: someone.userId, ...query })).body,
      ).items.map((item) => item.reason);
    const minuteAway = (sign: number) => new Date(Date.now() + sign * 60_000).toISOString();

    expect(await reasonsOf({ from: minuteAway(-1), to: minuteAway(1) })).to.deep.equal([reason]);
    expect(await reasonsOf({ from: minuteAway(1) })).to.deep.equal([]);
    expect(await reasonsOf({ to: minuteAway(-1) })).to.deep.equal([]);
    expect(await reasonsOf({ userId: someone.userId })).to.deep.equal([]);
  });

  it('refuses everyone but an admin at aal2, and malformed queries, as problem+json', async () => {
    const callers: Array<[string, Identity | undefined, number]> = [
      ['aal1 admin', await app.admin({ withMfa: false }), 403],
      ['provider', await app.provider({ admin }), 403],
      ['patient', patient, 403],
      ['anonymous', undefined, 401],
    ];
    for (const [name, who, status] of callers) {
      const response = await keptReasons(who, { patientId: patient.userId });
      expect(response.status, name).to.equal(status);
      expect(response.type, name).to.equal('application/problem+json');
      expect(JSON.stringify(response.body), name).not.to.include('Zebulonqx');
    }
    const malformed: Record<string, string | number>[] = [
      { patientId: 'nobody' },
      { limit: 0 },
      { cursor: 'not-ours' },
      { reason: 'x' },
    ];
    for (const query of malformed) {
      const response = await keptReasons(admin, query);
      expect(response.status, JSON.stringify(query)).to.equal(422);
      expect(response.type).to.equal('application/problem+json');
    }
  });
});
