import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Actor } from '../platform/actor';
import { refusedWith } from '../../test/support/assertions';
import {
  createAdminRow,
  createConsultation,
  createPatientRow,
  createProviderRow,
} from '../../test/support/clinical-factories';
import type { ConsultationStatus } from '../consultations/model';
import { ReportQuery } from './schemas';
import { useTestApp } from '../../test/support/test-app';

// A year no other test writes in, so the numbers below are exactly this dataset's.
const at = (day: string, time: string) => new Date(`${day}T${time}Z`);
const plus = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

describe('the admin service', () => {
  const app = useTestApp();
  let admin: Actor;

  // Each access under its own id, as the route (which names it in the audit event) gives one.
  const breakGlassRead = (actor: Actor, patientId: string, reason: string) =>
    app.clinical.admin.breakGlassRead(actor, patientId, reason, { id: randomUUID() });

  before(async () => {
    admin = await createAdminRow(app.clinical.models);
    const patient = await createPatientRow(app.clinical.models);
    const dermatologist = await createProviderRow(app.clinical.models, 'dermatology');
    const cardiologist = await createProviderRow(app.clinical.models, 'cardiology');
    const seed = async (
      status: ConsultationStatus,
      specialty: 'dermatology' | 'cardiology',
      requestedAt: Date,
      acceptAfter?: number,
      startAfter?: number,
    ) => {
      const acceptedAt = acceptAfter === undefined ? null : plus(requestedAt, acceptAfter);
      await createConsultation(app.clinical.models, patient.userId, {
        status,
        specialty,
        providerId: acceptedAt ? (specialty === 'dermatology' ? dermatologist : cardiologist).userId : null,
        requestedAt,
        acceptedAt,
        startedAt: acceptedAt && startAfter !== undefined ? plus(acceptedAt, startAfter) : null,
        expiresAt: plus(requestedAt, 1800),
      });
    };
    await seed('completed', 'dermatology', at('2001-03-01', '10:00:00'), 60, 60);
    await seed('completed', 'dermatology', at('2001-03-01', '11:00:00'), 180, 300);
    await seed('cancelled', 'dermatology', at('2001-03-01', '12:00:00'), 120);
    await seed('expired', 'dermatology', at('2001-03-01', '23:59:59'));
    await seed('requested', 'dermatology', at('2001-03-02', '00:00:00'));
    await seed('completed', 'cardiology', at('2001-03-01', '09:00:00'), 30, 30);
    // Outside the range on both sides.
    await seed('completed', 'dermatology', at('2001-02-28', '23:59:59'), 1, 1);
    await seed('completed', 'dermatology', at('2001-03-03', '00:00:00'), 1, 1);
  });

  const range = { from: '2001-03-01', to: '2001-03-02' };

  it('counts consultations by UTC day, specialty and status', async () => {
    expect(await app.clinical.admin.volumeByDay(admin, range)).to.deep.equal([
      { day: '2001-03-01', specialty: 'cardiology', status: 'completed', count: 1 },
      { day: '2001-03-01', specialty: 'dermatology', status: 'cancelled', count: 1 },
      { day: '2001-03-01', specialty: 'dermatology', status: 'completed', count: 2 },
      { day: '2001-03-01', specialty: 'dermatology', status: 'expired', count: 1 },
      { day: '2001-03-02', specialty: 'dermatology', status: 'requested', count: 1 },
    ]);
  });

  it('summarizes completion and interpolated percentiles of acceptance and response per specialty', async () => {
    // Dermatology: 5 requested, 2 of the 4 finished completed. Acceptance waits 60, 120, 180 s:
    // p50 = 120, p95 = 120 + 0.9 * 60 = 174. Responses 60, 300 s: p50 = 180, p95 = 60 + 0.95 * 240 = 288.
    expect(await app.clinical.admin.specialtySummary(admin, range)).to.deep.equal([
      {
        specialty: 'cardiology',
        requested: 1,
        completed: 1,
        finished: 1,
        completionRate: 1,
        acceptanceP50Seconds: 30,
        acceptanceP95Seconds: 30,
        responseP50Seconds: 30,
        responseP95Seconds: 30,
      },
      {
        specialty: 'dermatology',
        requested: 5,
        completed: 2,
        finished: 4,
        completionRate: 0.5,
        acceptanceP50Seconds: 120,
        acceptanceP95Seconds: 174,
        responseP50Seconds: 180,
        responseP95Seconds: 288,
      },
    ]);
  });

  it('reports response times per provider, filtered by specialty when asked', async () => {
    const rows = await app.clinical.admin.providerResponseTimes(admin, range);
    expect(
      rows.map(({ specialty, started, responseP50Seconds, responseP95Seconds }) => ({
        specialty,
        started,
        responseP50Seconds,
        responseP95Seconds,
      })),
    ).to.deep.equal([
      { specialty: 'cardiology', started: 1, responseP50Seconds: 30, responseP95Seconds: 30 },
      { specialty: 'dermatology', started: 2, responseP50Seconds: 180, responseP95Seconds: 288 },
    ]);
    const cardiology = await app.clinical.admin.providerResponseTimes(admin, {
      ...range,
      specialty: 'cardiology',
    });
    expect(cardiology.map((row) => row.specialty)).to.deep.equal(['cardiology']);
    expect(await app.clinical.admin.volumeByDay(admin, { ...range, specialty: 'cardiology' })).to.have.length(
      1,
    );
  });

  it('takes ranges of whole days, at most 366 of them, with known fields only', () => {
    expect(ReportQuery.safeParse({ from: '2024-01-01', to: '2024-12-31' }).success).to.equal(true);
    expect(ReportQuery.safeParse({ from: '2023-01-01', to: '2024-01-01' }).success).to.equal(true);
    expect(ReportQuery.safeParse({ from: '2023-01-01', to: '2024-01-02' }).success).to.equal(false);
    expect(ReportQuery.safeParse({ from: '2024-02-02', to: '2024-02-01' }).success).to.equal(false);
    expect(ReportQuery.safeParse({ ...range, specialty: 'astrology' }).success).to.equal(false);
    expect(ReportQuery.safeParse({ ...range, patientId: randomUUID() }).success).to.equal(false);
  });

  it('keeps reports and break-glass reads to admins', async () => {
    const provider = await createProviderRow(app.clinical.models);
    await refusedWith(app.clinical.admin.volumeByDay(provider, range), 403);
    const patient = await createPatientRow(app.clinical.models);
    await refusedWith(
      breakGlassRead(provider, patient.userId, 'Emergency room request, patient unconscious'),
      403,
    );
  });

  it('reads a patient record through break-glass only with a stated reason of 10 to 500 characters', async () => {
    const patient = await createPatientRow(app.clinical.models);
    const record = await breakGlassRead(admin, patient.userId, 'Emergency room request, patient unconscious');
    expect(record).to.include({ userId: patient.userId });
    expect(record.allergies).to.deep.equal(['penicillin']);
    await refusedWith(breakGlassRead(admin, patient.userId, 'too short'), 422, 'validation_failed');
    await refusedWith(breakGlassRead(admin, patient.userId, 'x'.repeat(501)), 422);
    await refusedWith(
      breakGlassRead(admin, randomUUID(), 'Emergency room request, patient unconscious'),
      404,
    );
  });
});
