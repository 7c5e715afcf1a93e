import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Actor } from '../platform/actor';
import { metricValue, refusedWith } from '../../test/support/assertions';
import {
  createConsultation,
  createPatientRow,
  createProviderRow,
} from '../../test/support/clinical-factories';
import { clinicalRuntime, type ClinicalRuntime as Runtime } from '../../test/support/clinical-services';
import { UpdateProviderProfileBody } from './schemas';

describe('the provider service', () => {
  let runtime: Runtime;
  let provider: Actor;

  beforeEach(async () => {
    runtime = await clinicalRuntime();
    provider = await createProviderRow(runtime.models, 'womens_health');
  });

  it('reads and updates the own profile with optimistic concurrency', async () => {
    expect(await runtime.providers.getOwnProfile(provider)).to.include({
      specialty: 'womens_health',
      version: 1,
    });
    const updated = await runtime.providers.updateOwnProfile(provider, 1, { acceptingPatients: false });
    expect(updated).to.include({ acceptingPatients: false, version: 2 });
    await refusedWith(runtime.providers.updateOwnProfile(provider, 1, { displayName: 'Stale' }), 412);
    expect(await runtime.providers.getOwnProfile(provider)).to.include({
      version: 2,
      acceptingPatients: false,
    });
    expect(UpdateProviderProfileBody.safeParse({ specialty: 'cardiology' }).success).to.equal(false);
    await refusedWith(runtime.providers.getOwnProfile(await createPatientRow(runtime.models)), 403);
  });

  it('changes availability and the available-providers gauge follows at once', async () => {
    const gauge = () =>
      metricValue(runtime.metrics, 'carewatch_providers_available', { specialty: 'womens_health' });
    await runtime.gauges.availableProviders.refresh();
    await runtime.metrics.render();
    const before = await gauge();
    expect(before).to.be.at.least(1);
    await runtime.providers.setAvailability(provider, 'offline');
    await runtime.metrics.render();
    expect(await gauge()).to.equal(before - 1);
    await runtime.providers.setAvailability(provider, 'available');
    await runtime.metrics.render();
    expect(await gauge()).to.equal(before);
  });

  it('shows a patient only to a provider with an accepted, started, completed or no-show consultation', async () => {
    const patient = await createPatientRow(runtime.models);
    await refusedWith(runtime.providers.getPatientForProvider(provider, patient.userId), 404);
    await createConsultation(runtime.models, patient.userId, {
      status: 'cancelled',
      providerId: provider.userId,
    });
    await refusedWith(runtime.providers.getPatientForProvider(provider, patient.userId), 404);
    await createConsultation(runtime.models, patient.userId, {
      status: 'accepted',
      providerId: provider.userId,
    });
    expect(await runtime.providers.getPatientForProvider(provider, patient.userId)).to.include({
      userId: patient.userId,
    });
    await refusedWith(
      runtime.providers.getPatientForProvider(await createProviderRow(runtime.models), patient.userId),
      404,
    );
    await refusedWith(runtime.providers.getPatientForProvider(provider, randomUUID()), 404);
  });

  it("serves the queue of the provider's specialty through the consultation service", async () => {
    const patient = await createPatientRow(runtime.models);
    const { id } = await runtime.consultations.request(patient, {
      specialty: 'womens_health',
      reason: 'Check-up',
    });
    const queue = await runtime.providers.queue(provider, { limit: 100 });
    expect(queue.items.map((row) => row.id)).to.include(id);
    expect(queue.items.every((row) => row.specialty === 'womens_health')).to.equal(true);
  });
});
