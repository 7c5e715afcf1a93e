import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Actor } from '../platform/actor';
import { metricValue, refusedWith } from '../../test/support/assertions';
import {
  createConsultation,
  createPatientRow,
  createProviderRow,
} from '../../test/support/clinical-factories';
import { UpdateProviderProfileBody } from './schemas';
import { useTestApp } from '../../test/support/test-app';

describe('the provider service', () => {
  const app = useTestApp();
  let provider: Actor;

  beforeEach(async () => {
    provider = await createProviderRow(app.clinical.models, 'womens_health');
  });

  it('reads and updates the own profile with optimistic concurrency', async () => {
    expect(await app.clinical.providers.getOwnProfile(provider)).to.include({
      specialty: 'womens_health',
      version: 1,
    });
    const updated = await app.clinical.providers.updateOwnProfile(provider, 1, { acceptingPatients: false });
    expect(updated).to.include({ acceptingPatients: false, version: 2 });
    await refusedWith(app.clinical.providers.updateOwnProfile(provider, 1, { displayName: 'Stale' }), 412);
    expect(await app.clinical.providers.getOwnProfile(provider)).to.include({
      version: 2,
      acceptingPatients: false,
    });
    expect(UpdateProviderProfileBody.safeParse({ specialty: 'cardiology' }).success).to.equal(false);
    await refusedWith(app.clinical.providers.getOwnProfile(await createPatientRow(app.clinical.models)), 403);
  });

  it('changes availability and the available-providers gauge follows at once', async () => {
    const gauge = () =>
      metricValue(app.clinical.metrics, 'carewatch_providers_available', { specialty: 'womens_health' });
    await app.clinical.gauges.availableProviders.refresh();
    await app.clinical.metrics.render();
    const before = await gauge();
    expect(before).to.be.at.least(1);
    await app.clinical.providers.setAvailability(provider, 'offline');
    await app.clinical.metrics.render();
    expect(await gauge()).to.equal(before - 1);
    await app.clinical.providers.setAvailability(provider, 'available');
    await app.clinical.metrics.render();
    expect(await gauge()).to.equal(before);
  });

  it('shows a patient only to a provider with an accepted, started, completed or no-show consultation', async () => {
    const patient = await createPatientRow(app.clinical.models);
    await refusedWith(app.clinical.providers.getPatientForProvider(provider, patient.userId), 404);
    await createConsultation(app.clinical.models, patient.userId, {
      status: 'cancelled',
      providerId: provider.userId,
    });
    await refusedWith(app.clinical.providers.getPatientForProvider(provider, patient.userId), 404);
    await createConsultation(app.clinical.models, patient.userId, {
      status: 'accepted',
      providerId: provider.userId,
    });
    expect(await app.clinical.providers.getPatientForProvider(provider, patient.userId)).to.include({
      userId: patient.userId,
    });
    await refusedWith(
      app.clinical.providers.getPatientForProvider(
        await createProviderRow(app.clinical.models),
        patient.userId,
      ),
      404,
    );
    await refusedWith(app.clinical.providers.getPatientForProvider(provider, randomUUID()), 404);
  });

  it("serves the queue of the provider's specialty through the consultation service", async () => {
    const patient = await createPatientRow(app.clinical.models);
    const { id } = await app.clinical.consultations.request(patient, {
      specialty: 'womens_health',
      reason: 'Check-up',
    });
    const queue = await app.clinical.providers.queue(provider, { limit: 100 });
    expect(queue.items.map((row) => row.id)).to.include(id);
    expect(queue.items.every((row) => row.specialty === 'womens_health')).to.equal(true);
  });
});
