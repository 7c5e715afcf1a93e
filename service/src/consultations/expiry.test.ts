import { expect } from 'chai';
import type { Actor } from '../platform/actor';
import { metricValue, storedRow } from '../../test/support/assertions';
import { createConsultation, createPatientRow } from '../../test/support/clinical-factories';
import { separateConnection } from '../../test/support/clinical-services';
import { SWEEPER_LOCK_KEY } from './expiry';
import { useTestApp } from '../../test/support/test-app';

describe('the expiry of consultation requests', () => {
  const app = useTestApp();
  let patient: Actor;

  beforeEach(async () => {
    patient = await createPatientRow(app.clinical.models);
  });

  const stale = () =>
    createConsultation(app.clinical.models, patient.userId, {
      specialty: 'pediatrics',
      requestedAt: new Date(Date.now() - 3_600_000),
      expiresAt: new Date(Date.now() - 1000),
    });

  it('expires requests past their expiry, stamping ended_at, and leaves the rest alone', async () => {
    const expiring = await stale();
    const fresh = await createConsultation(app.clinical.models, patient.userId, { specialty: 'pediatrics' });
    const overdueButAccepted = await createConsultation(app.clinical.models, patient.userId, {
      status: 'cancelled',
      requestedAt: new Date(Date.now() - 3_600_000),
      expiresAt: new Date(Date.now() - 1000),
    });
    const before = await metricValue(app.clinical.metrics, 'carewatch_consultation_transitions_total', {
      to_status: 'expired',
      specialty: 'pediatrics',
    });
    const now = new Date();
    const expired = await app.clinical.expiry.expireStaleRequests(now);
    expect(expired.map((row) => row.id))
      .to.include(expiring)
      .and.not.include(fresh);
    expect(await storedRow(app.clinical.sequelize, 'consultations', expiring)).to.deep.include({
      status: 'expired',
      ended_at: now,
      version: 2,
    });
    expect(await storedRow(app.clinical.sequelize, 'consultations', fresh)).to.include({
      status: 'requested',
      version: 1,
    });
    expect(await storedRow(app.clinical.sequelize, 'consultations', overdueButAccepted)).to.include({
      status: 'cancelled',
    });
    expect(await app.clinical.expiry.expireStaleRequests(now)).not.to.deep.include({
      id: expiring,
      specialty: 'pediatrics',
    });
    const after = await metricValue(app.clinical.metrics, 'carewatch_consultation_transitions_total', {
      to_status: 'expired',
      specialty: 'pediatrics',
    });
    expect(after - before).to.equal(expired.filter((row) => row.specialty === 'pediatrics').length);
  });

  it('sweeps on one instance only: a tick skips while another instance holds the lock', async () => {
    const waiting = await stale();
    const other = await separateConnection();
    try {
      await other.transaction(async (transaction) => {
        await other.query('SELECT pg_advisory_xact_lock($1)', { bind: [SWEEPER_LOCK_KEY], transaction });
        expect(await app.clinical.expiry.sweepOnce()).to.equal(null);
        expect(await storedRow(app.clinical.sequelize, 'consultations', waiting)).to.include({
          status: 'requested',
        });
      });
    } finally {
      await other.close();
    }
    const swept = await app.clinical.expiry.sweepOnce();
    expect(swept?.map((row) => row.id)).to.include(waiting);
  });

  it('counts pending requests by specialty for the gauge, without expired ones', async () => {
    const read = () =>
      metricValue(app.clinical.metrics, 'carewatch_consultation_requests_pending', {
        specialty: 'pediatrics',
      });
    await app.clinical.gauges.pendingRequests.refresh();
    await app.clinical.metrics.render();
    const before = await read();
    await createConsultation(app.clinical.models, patient.userId, { specialty: 'pediatrics' });
    await stale();
    await app.clinical.gauges.pendingRequests.refresh();
    await app.clinical.metrics.render();
    expect(await read()).to.equal(before + 1);
  });

  it('exports the age of the oldest request still waiting, by specialty (issue 12, point 9)', async () => {
    await createConsultation(app.clinical.models, patient.userId, {
      specialty: 'dermatology',
      requestedAt: new Date(Date.now() - 20 * 60_000),
      expiresAt: new Date(Date.now() + 10 * 60_000),
    });
    await app.clinical.gauges.oldestWaiting.refresh();
    await app.clinical.metrics.render();
    const age = await metricValue(app.clinical.metrics, 'carewatch_consultation_oldest_waiting_seconds', {
      specialty: 'dermatology',
    });
    expect(age).to.be.within(20 * 60 - 5, 31 * 60);
  });
});
