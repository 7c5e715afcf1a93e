import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Actor } from '../platform/actor';
import type { AppError } from '../platform/errors';
import { metricValue, refusedWith, storedRow } from '../../test/support/assertions';
import {
  createAdminRow,
  createConsultation,
  createPatientRow,
  createProviderRow,
} from '../../test/support/clinical-factories';
import { separateConnection, type ClinicalRuntime as Runtime } from '../../test/support/clinical-services';
import { createConsultationService } from './service';
import { CONSULTATION_STATUSES, type ConsultationStatus } from './model';
import { useTestApp } from '../../test/support/test-app';

const rowOf = (runtime: Runtime, id: string) => storedRow(runtime.sequelize, 'consultations', id);
const counterValue = (runtime: Runtime, name: string, labels: Record<string, string>) =>
  metricValue(runtime.metrics, name, labels);

describe('the consultation service', () => {
  const app = useTestApp();
  let patient: Actor;
  let provider: Actor;

  beforeEach(async () => {
    patient = await createPatientRow(app.clinical.models);
    provider = await createProviderRow(app.clinical.models, 'dermatology');
  });

  it('records a request with its expiry after the configured TTL and the reason encrypted', async () => {
    const requested = await app.clinical.consultations.request(patient, {
      specialty: 'dermatology',
      reason: 'A rash on my arm',
    });
    expect(requested.status).to.equal('requested');
    expect(requested.reason).to.equal('A rash on my arm');
    const row = await rowOf(app.clinical, requested.id);
    const ttl = ((row.expires_at as Date).getTime() - (row.requested_at as Date).getTime()) / 1000;
    expect(ttl).to.equal(app.clinical.config.consultations.requestTtlSeconds);
    expect(row.reason).to.be.a('string').and.not.include('rash');
    expect((await app.clinical.consultations.get(patient, requested.id)).reason).to.equal('A rash on my arm');
  });

  it('refuses a fourth waiting request from the same patient, even when they arrive together', async () => {
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map(() =>
        app.clinical.consultations.request(patient, { specialty: 'dermatology', reason: 'Itch' }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).to.have.length(3);
    const refused = results.filter((result) => result.status === 'rejected');
    expect(refused).to.have.length(2);
    for (const result of refused) expect((result.reason as AppError).code).to.equal('too_many_open_requests');
    await refusedWith(
      app.clinical.consultations.request(provider, { specialty: 'dermatology', reason: 'x' }),
      403,
    );
  });

  it('walks requested -> accepted -> in_progress -> completed, stamping each step and encrypting notes', async () => {
    const observed = (name: string) =>
      metricValue(app.clinical.metrics, name, { specialty: 'dermatology' }, '_count');
    const acceptances = await observed('carewatch_consultation_time_to_acceptance_seconds');
    const responses = await observed('carewatch_provider_response_seconds');
    const { id } = await app.clinical.consultations.request(patient, {
      specialty: 'dermatology',
      reason: 'Mole',
    });
    const accepted = await app.clinical.consultations.accept(provider, id);
    expect(accepted).to.include({ status: 'accepted', providerId: provider.userId, version: 2 });
    expect(accepted.acceptedAt).to.be.instanceOf(Date);
    const started = await app.clinical.consultations.start(provider, id);
    expect(started).to.include({ status: 'in_progress', version: 3 });
    expect(started.startedAt).to.be.instanceOf(Date);
    const completed = await app.clinical.consultations.complete(provider, id, {
      outcome: 'follow_up',
      notes: 'Benign nevus',
    });
    expect(completed).to.include({
      status: 'completed',
      outcome: 'follow_up',
      notes: 'Benign nevus',
      version: 4,
    });
    expect(completed.endedAt).to.be.instanceOf(Date);
    expect(await observed('carewatch_consultation_time_to_acceptance_seconds')).to.equal(acceptances + 1);
    expect(await observed('carewatch_provider_response_seconds')).to.equal(responses + 1);
    const row = await rowOf(app.clinical, id);
    expect(row.notes).to.be.a('string').and.not.include('nevus');
    expect(
      await counterValue(app.clinical, 'carewatch_consultation_transitions_total', {
        to_status: 'completed',
        specialty: 'dermatology',
      }),
    ).to.be.at.least(1);
  });

  // Hard-coded from the design (not derived from the state machine under test).
  const providerActions = {
    accept: ['requested'],
    start: ['accepted'],
    complete: ['in_progress'],
    markNoShow: ['accepted'],
    cancel: ['accepted', 'in_progress'],
  } as const;
  const statuses = CONSULTATION_STATUSES.filter((status) => status !== 'requested');

  for (const [action, validFrom] of Object.entries(providerActions)) {
    it(`lets the assigned provider ${action} only from ${validFrom.join(', ')}; otherwise 409 and nothing changes`, async () => {
      for (const status of statuses) {
        const id = await createConsultation(app.clinical.models, patient.userId, {
          status,
          providerId: provider.userId,
          specialty: 'dermatology',
        });
        const run = () =>
          action === 'complete'
            ? app.clinical.consultations.complete(provider, id, { outcome: 'resolved', notes: 'ok' })
            : app.clinical.consultations[action as 'accept' | 'start' | 'markNoShow' | 'cancel'](
                provider,
                id,
              );
        if ((validFrom as readonly string[]).includes(status)) {
          expect((await run()).version).to.equal(2);
        } else {
          await refusedWith(run(), 409, 'invalid_transition');
          expect(await rowOf(app.clinical, id)).to.include({ status, version: 1 });
        }
      }
    });
  }

  it('lets exactly one of ten concurrent providers, on separate connections, accept a request', async () => {
    const providers = await Promise.all(
      Array.from({ length: 10 }, () => createProviderRow(app.clinical.models, 'psychiatry')),
    );
    const { id } = await app.clinical.consultations.request(patient, {
      specialty: 'psychiatry',
      reason: 'Anxiety',
    });
    const connections = await Promise.all(providers.map(() => separateConnection()));
    try {
      const services = connections.map((sequelize) =>
        createConsultationService({ sequelize, metrics: app.clinical.metrics, config: app.clinical.config }),
      );
      const before = await counterValue(app.clinical, 'carewatch_consultation_operations_total', {
        operation: 'accept',
        result: 'ok',
      });
      const results = await Promise.allSettled(
        services.map((service, i) => service.accept(providers[i]!, id)),
      );
      const winners = results.flatMap((result, i) =>
        result.status === 'fulfilled' ? [providers[i]!.userId] : [],
      );
      expect(winners).to.have.length(1);
      for (const result of results.filter((r) => r.status === 'rejected')) {
        expect((result.reason as AppError).status).to.equal(409);
      }
      expect(await rowOf(app.clinical, id)).to.include({
        status: 'accepted',
        provider_id: winners[0],
        version: 2,
      });
      expect(
        await counterValue(app.clinical, 'carewatch_consultation_operations_total', {
          operation: 'accept',
          result: 'ok',
        }),
      ).to.equal(before + 1);
    } finally {
      await Promise.all(connections.map((sequelize) => sequelize.close()));
    }
  });

  it('hides requests of another specialty and refuses expired ones', async () => {
    const other = await createProviderRow(app.clinical.models, 'cardiology');
    const { id } = await app.clinical.consultations.request(patient, {
      specialty: 'dermatology',
      reason: 'Acne',
    });
    await refusedWith(app.clinical.consultations.accept(other, id), 404);
    await refusedWith(app.clinical.consultations.accept(provider, randomUUID()), 404);
    const stale = await createConsultation(app.clinical.models, patient.userId, {
      specialty: 'dermatology',
      requestedAt: new Date(Date.now() - 3_600_000),
      expiresAt: new Date(Date.now() - 1_000),
    });
    await refusedWith(app.clinical.consultations.accept(provider, stale), 409, 'request_expired');
    expect(await rowOf(app.clinical, stale)).to.include({ status: 'requested', version: 1 });
  });

  it('never reveals a consultation to another patient or an unrelated provider', async () => {
    const stranger = await createPatientRow(app.clinical.models);
    const unrelated = await createProviderRow(app.clinical.models, 'dermatology');
    const id = await createConsultation(app.clinical.models, patient.userId, {
      status: 'accepted',
      providerId: provider.userId,
      specialty: 'dermatology',
    });
    await refusedWith(app.clinical.consultations.get(stranger, id), 404);
    await refusedWith(app.clinical.consultations.get(unrelated, id), 404);
    await refusedWith(app.clinical.consultations.get(await createAdminRow(app.clinical.models), id), 404);
    await refusedWith(app.clinical.consultations.start(unrelated, id), 404);
    await refusedWith(app.clinical.consultations.cancel(stranger, id), 404);
    expect((await app.clinical.consultations.get(provider, id)).reason).to.equal('Persistent cough');
    expect(await rowOf(app.clinical, id)).to.include({ status: 'accepted', version: 1 });
  });

  it('lets a patient cancel before the start, a provider once assigned and an admin anything open', async () => {
    const admin = await createAdminRow(app.clinical.models);
    const make = (status: ConsultationStatus) =>
      createConsultation(app.clinical.models, patient.userId, {
        status,
        providerId: status === 'requested' ? null : provider.userId,
        specialty: 'dermatology',
      });
    const cancelled = await app.clinical.consultations.cancel(patient, await make('requested'));
    expect(cancelled).to.include({ status: 'cancelled', cancelledBy: 'patient' });
    expect(cancelled.endedAt).to.be.instanceOf(Date);
    expect((await app.clinical.consultations.cancel(patient, await make('accepted'))).status).to.equal(
      'cancelled',
    );
    await refusedWith(app.clinical.consultations.cancel(patient, await make('in_progress')), 409);
    await refusedWith(app.clinical.consultations.cancel(provider, await make('requested')), 404);
    for (const status of ['requested', 'accepted', 'in_progress'] as const) {
      expect(await app.clinical.consultations.cancel(admin, await make(status))).to.include({
        status: 'cancelled',
        cancelledBy: 'admin',
      });
    }
    for (const status of ['completed', 'cancelled', 'no_show', 'expired'] as const) {
      await refusedWith(
        app.clinical.consultations.cancel(admin, await make(status)),
        409,
        'invalid_transition',
      );
    }
  });

  it('shows a provider the queue of their specialty oldest first, page by page', async () => {
    const specialtyProvider = await createProviderRow(app.clinical.models, 'endocrinology');
    const base = Date.now() - 10 * 60_000 - 365 * 86_400_000;
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const requestedAt = new Date(base + i * 1000);
      ids.push(
        await createConsultation(app.clinical.models, patient.userId, {
          specialty: 'endocrinology',
          requestedAt,
          expiresAt: new Date(Date.now() + 60_000),
        }),
      );
    }
    await createConsultation(app.clinical.models, patient.userId, {
      specialty: 'endocrinology',
      requestedAt: new Date(base - 1000),
      expiresAt: new Date(Date.now() - 1000),
    });
    const first = await app.clinical.consultations.queueFor(specialtyProvider, { limit: 2 });
    expect(first.items.map((row) => row.id)).to.deep.equal(ids.slice(0, 2));
    const second = await app.clinical.consultations.queueFor(specialtyProvider, {
      limit: 2,
      cursor: first.nextCursor!,
    });
    expect(second.items.map((row) => row.id)).to.deep.equal(ids.slice(2, 4));
    expect(second.items.every((row) => row.specialty === 'endocrinology')).to.equal(true);
  });

  it("lists a patient's consultations newest first with keyset pages", async () => {
    const other = await createPatientRow(app.clinical.models);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push(
        await createConsultation(app.clinical.models, other.userId, {
          status: 'cancelled',
          requestedAt: new Date(Date.now() - (10 - i) * 60_000),
        }),
      );
    }
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await app.clinical.consultations.listForPatient(other.userId, { limit: 2, cursor });
      pages.push(page.items.map((row) => row.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).to.deep.equal([[ids[4], ids[3]], [ids[2], ids[1]], [ids[0]]]);
  });

  it('lets a provider see a patient only through a consultation assigned to them', async () => {
    const unrelated = await createProviderRow(app.clinical.models, 'dermatology');
    await createConsultation(app.clinical.models, patient.userId, {
      status: 'requested',
      specialty: 'dermatology',
    });
    expect(await app.clinical.consultations.providerCanSeePatient(provider.userId, patient.userId)).to.equal(
      false,
    );
    for (const status of ['accepted', 'in_progress', 'completed', 'no_show'] as const) {
      const other = await createPatientRow(app.clinical.models);
      await createConsultation(app.clinical.models, other.userId, { status, providerId: provider.userId });
      expect(await app.clinical.consultations.providerCanSeePatient(provider.userId, other.userId)).to.equal(
        true,
      );
      expect(await app.clinical.consultations.providerCanSeePatient(unrelated.userId, other.userId)).to.equal(
        false,
      );
    }
  });
});
