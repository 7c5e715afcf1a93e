import { expect } from 'chai';
import { auditRowsFor } from '../../test/support/audit';
import {
  createConsultation,
  createPatientRow,
  createProviderRow,
  type ConsultationOverrides,
} from '../../test/support/clinical-factories';
import { type Identity } from '../../test/support/identities';
import { idsOf, newRequestId } from '../../test/support/route-matrix';
import { ConsultationSummaryResponse } from '../consultations/schemas';
import { encodeCursor } from '../platform/keyset-page';
import { useTestApp } from '../../test/support/test-app';

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

describe('GET /v1/providers/me/consultations', () => {
  const app = useTestApp();
  let provider: Identity;

  before(async function () {
    this.timeout(60_000);
    provider = await app.provider();
  });

  const list = (query: string, who: Identity = provider, requestId = newRequestId()) =>
    app.http().get(`/v1/providers/me/consultations${query}`).set(who.headers).set('X-Request-Id', requestId);
  const auditedPatientsOf = async (requestId: string) => {
    const events = await auditRowsFor(app.runtime, requestId);
    expect(events).to.have.length(1);
    expect(events[0]).to.deep.include({ action: 'list', resource_type: 'Consultation', outcome: 'success' });
    return events[0]!.patient_ids;
  };

  it('lists only the consultations assigned to the caller, newest first, and audits exactly their patients', async () => {
    const own = await app.provider();
    const other = await createProviderRow(app.runtime.models);
    const [first, second, bystander] = [
      await createPatientRow(app.runtime.models),
      await createPatientRow(app.runtime.models),
      await createPatientRow(app.runtime.models),
    ];
    const assigned = (patientId: string, overrides: ConsultationOverrides) =>
      createConsultation(app.runtime.models, patientId, { providerId: own.userId, ...overrides });
    const completed = await assigned(first.userId, { status: 'completed', requestedAt: minutesAgo(50) });
    const accepted = await assigned(second.userId, { status: 'accepted', requestedAt: minutesAgo(40) });
    const inProgress = await assigned(first.userId, { status: 'in_progress', requestedAt: minutesAgo(30) });
    // Another provider's, and a request nobody accepted yet: neither is the caller's work.
    await createConsultation(app.runtime.models, bystander.userId, {
      providerId: other.userId,
      status: 'accepted',
      requestedAt: minutesAgo(20),
    });
    await createConsultation(app.runtime.models, bystander.userId, { requestedAt: minutesAgo(10) });

    const requestId = newRequestId();
    const response = await list('', own, requestId);
    expect(response.status).to.equal(200);
    expect(idsOf(response)).to.deep.equal([inProgress, accepted, completed]);
    expect(response.body.nextCursor).to.equal(null);
    for (const item of response.body.items as object[]) {
      expect(ConsultationSummaryResponse.parse(item).providerId).to.equal(own.userId);
      expect(item).to.not.have.any.keys('reason', 'notes');
    }
    expect(await auditedPatientsOf(requestId)).to.have.members([first.userId, second.userId]);
  });

  it('filters by status, and audits only the patients of the rows it returned', async () => {
    const own = await app.provider();
    const [first, second] = [
      await createPatientRow(app.runtime.models),
      await createPatientRow(app.runtime.models),
    ];
    const completed = await createConsultation(app.runtime.models, first.userId, {
      providerId: own.userId,
      status: 'completed',
    });
    await createConsultation(app.runtime.models, second.userId, {
      providerId: own.userId,
      status: 'accepted',
    });

    const requestId = newRequestId();
    const response = await list('?status=completed', own, requestId);
    expect(response.status).to.equal(200);
    expect(idsOf(response)).to.deep.equal([completed]);
    expect(await auditedPatientsOf(requestId)).to.deep.equal([first.userId]);

    const none = newRequestId();
    const cancelled = await list('?status=cancelled', own, none);
    expect(cancelled.body).to.deep.equal({ items: [], nextCursor: null });
    expect(await auditedPatientsOf(none)).to.deep.equal([]);
  });

  it('pages by (requested_at, id) without duplicates or gaps, with or without a status filter', async () => {
    const own = await app.provider();
    const patient = await createPatientRow(app.runtime.models);
    // Two pairs share a requested_at: only the id tells them apart, and the cursor must keep the order.
    const times = [minutesAgo(9), minutesAgo(7), minutesAgo(7), minutesAgo(5), minutesAgo(5), minutesAgo(3)];
    const rows: { id: string; at: number; status: 'completed' | 'no_show' }[] = [];
    for (const [index, requestedAt] of times.entries()) {
      const status = index % 2 === 0 ? 'completed' : 'no_show';
      const id = await createConsultation(app.runtime.models, patient.userId, {
        providerId: own.userId,
        status,
        requestedAt,
      });
      rows.push({ id, at: requestedAt.getTime(), status });
    }
    const newestFirst = rows
      .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))
      .map((row) => ({ id: row.id, status: row.status }));

    const walk = async (filter: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `?limit=2${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await list(query, own);
        expect(page.status, query).to.equal(200);
        expect(page.body.items.length, query).to.be.at.most(2);
        seen.push(...idsOf(page));
        cursor = page.body.nextCursor as string | null;
      } while (cursor);
      return seen;
    };
    expect(await walk('')).to.deep.equal(newestFirst.map((row) => row.id));
    expect(await walk('&status=no_show')).to.deep.equal(
      newestFirst.filter((row) => row.status === 'no_show').map((row) => row.id),
    );
  });

  it('refuses a bad status, cursor or page size with 422 problem+json', async () => {
    const queries = [
      'status=bogus',
      'status=Completed',
      'status=',
      'status=completed&status=accepted',
      'cursor=bogus',
      `cursor=${encodeCursor(new Date(), 'not-a-uuid')}`,
      'limit=0',
      'limit=101',
      'providerId=00000000-0000-0000-0000-000000000000',
    ];
    for (const query of queries) {
      const response = await list(`?${query}`);
      expect(response.status, query).to.equal(422);
      expect(response.type, query).to.equal('application/problem+json');
    }
  });
});
