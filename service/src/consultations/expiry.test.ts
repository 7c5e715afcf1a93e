import { expect } from 'chai';
import type { Actor } from '../platform/actor';
import { metricValue, storedRow } from '../../test/support/assertions';
import { createConsultation, createPatient } from '../../test/support/clinical-factories';
import {
  clinicalRuntime,
  separateConnection,
  type ClinicalRuntime as Runtime,
} from '../../test/support/clinical-services';
import { SWEEPER_LOCK_KEY } from './expiry';

describe('the expiry of consultation requests', () => {
  let runtime: Runtime;
  let patient: Actor;

  beforeEach(async () => {
    runtime = await clinicalRuntime();
    patient = await createPatient(runtime.models);
  });

  const stale = () =>
    createConsultation(runtime.models, patient.userId, {
      specialty: 'pediatrics',
      requestedAt: new Date(Date.now() - 3_600_000),
      expiresAt: new Date(Date.now() - 1000),
    });

  it('expires requests past their expiry, stamping ended_at, and leaves the rest alone', async () => {
    const expiring = await stale();
    const fresh = await createConsultation(runtime.models, patient.userId, { specialty: 'pediatrics' });
    const overdueButAccepted = await createConsultation(runtime.models, patient.userId, {
      status: 'cancelled',
      requestedAt: new Date(Date.now() - 3_600_000),
      expiresAt: new Date(Date.now() - 1000),
    });
    const before = await metricValue(runtime.metrics, 'carewatch_consultation_transitions_total', {
      to_status: 'expired',
      specialty: 'pediatrics',
    });
    const now = new Date();
    const expired = await runtime.expiry.expireStaleRequests(now);
    expect(expired.map((row) => row.id))
      .to.include(expiring)
      .and.not.include(fresh);
    expect(await storedRow(runtime.sequelize, 'consultations', expiring)).to.deep.include({
      status: 'expired',
      ended_at: now,
      version: 2,
    });
    expect(await storedRow(runtime.sequelize, 'consultations', fresh)).to.include({
      status: 'requested',
      version: 1,
    });
    expect(await storedRow(runtime.sequelize, 'consultations', overdueButAccepted)).to.include({
      status: 'cancelled',
    });
    expect(await runtime.expiry.expireStaleRequests(now)).not.to.deep.include({
      id: expiring,
      specialty: 'pediatrics',
    });
    const after = await metricValue(runtime.metrics, 'carewatch_consultation_transitions_total', {
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
        expect(await runtime.expiry.sweepOnce()).to.equal(null);
        expect(await storedRow(runtime.sequelize, 'consultations', waiting)).to.include({
          status: 'requested',
        });
      });
    } finally {
      await other.close();
    }
    const swept = await runtime.expiry.sweepOnce();
    expect(swept?.map((row) => row.id)).to.include(waiting);
  });

  it('counts pending requests by specialty for the gauge, without expired ones', async () => {
    const read = () =>
      metricValue(runtime.metrics, 'carewatch_consultation_requests_pending', { specialty: 'pediatrics' });
    await runtime.gauges.pendingRequests.refresh();
    await runtime.metrics.render();
    const before = await read();
    await createConsultation(runtime.models, patient.userId, { specialty: 'pediatrics' });
    await stale();
    await runtime.gauges.pendingRequests.refresh();
    await runtime.metrics.render();
    expect(await read()).to.equal(before + 1);
  });

  it('exports the age of the oldest request still waiting, by specialty (issue 12, point 9)', async () => {
    await createConsultation(runtime.models, patient.userId, {
      specialty: 'dermatology',
      requestedAt: new Date(Date.now() - 20 * 60_000),
      expiresAt: new Date(Date.now() + 10 * 60_000),
    });
    await runtime.gauges.oldestWaiting.refresh();
    await runtime.metrics.render();
    const age = await metricValue(runtime.metrics, 'carewatch_consultation_oldest_waiting_seconds', {
      specialty: 'dermatology',
    });
    expect(age).to.be.within(20 * 60 - 5, 31 * 60);
  });
});
