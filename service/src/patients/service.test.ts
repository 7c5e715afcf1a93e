import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Actor } from '../platform/actor';
import { formatETag, parseETag } from '../platform/etag';
import { metricValue, refusedWith } from '../../test/support/assertions';
import {
  createConsultation,
  createPatientRow,
  createProviderRow,
} from '../../test/support/clinical-factories';
import { presentPatientForProvider, presentPatientProfile } from './presenter';
import { PatientProfileResponse, UpdatePatientProfileBody } from './schemas';
import { useTestApp } from '../../test/support/test-app';

describe('the patient service', () => {
  const app = useTestApp();
  let patient: Actor;

  beforeEach(async () => {
    patient = await createPatientRow(app.clinical.models);
  });

  it('reads the own profile with medical data decrypted, insurance and subscription', async () => {
    const profile = presentPatientProfile(await app.clinical.patients.getOwnProfile(patient));
    expect(PatientProfileResponse.parse(profile)).to.deep.equal(profile);
    expect(profile).to.deep.include({
      patientId: patient.userId,
      allergies: ['penicillin'],
      insurance: { payer: 'Acme Health', memberId: `M-${patient.userId.slice(0, 6)}`, groupNumber: 'G-100' },
      subscription: { plan: 'free', status: 'active', renewsAt: null },
      version: 1,
    });
    await refusedWith(app.clinical.patients.getOwnProfile(await createProviderRow(app.clinical.models)), 403);
  });

  it('updates at the expected version, and refuses a stale one with 412 changing nothing', async () => {
    const updated = await app.clinical.patients.updateOwnProfile(patient, 1, {
      conditions: ['asthma', 'eczema'],
      phone: null,
    });
    expect(updated).to.include({ version: 2, phone: null });
    expect(updated.conditions).to.deep.equal(['asthma', 'eczema']);
    await refusedWith(
      app.clinical.patients.updateOwnProfile(patient, 1, { givenName: 'Stale' }),
      412,
      'stale_version',
    );
    const current = await app.clinical.patients.getOwnProfile(patient);
    expect(current).to.include({ version: 2, givenName: 'Test' });
  });

  it('lets exactly one of two writers of the same version win', async () => {
    const results = await Promise.allSettled([
      app.clinical.patients.updateOwnProfile(patient, 1, { givenName: 'First' }),
      app.clinical.patients.updateOwnProfile(patient, 1, { givenName: 'Second' }),
      app.clinical.patients.updateOwnProfile(patient, 1, { givenName: 'Third' }),
    ]);
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).to.have.length(1);
    const current = await app.clinical.patients.getOwnProfile(patient);
    expect(current.version).to.equal(2);
    expect(current.givenName).to.equal(won[0]!.value.givenName);
  });

  it('formats the version as a weak ETag and parses it back, refusing malformed ones', () => {
    expect(formatETag(7)).to.equal('W/"7"');
    expect(parseETag(formatETag(7))).to.equal(7);
    expect(parseETag('"12"')).to.equal(12);
    for (const bad of ['7', 'W/7', '"x"', '*', '']) {
      expect(() => parseETag(bad), bad)
        .to.throw()
        .with.property('status', 400);
    }
  });

  it('validates changes strictly', () => {
    expect(UpdatePatientProfileBody.safeParse({}).success).to.equal(false);
    expect(UpdatePatientProfileBody.safeParse({ subscriptionPlan: 'premium' }).success).to.equal(false);
    expect(UpdatePatientProfileBody.safeParse({ dateOfBirth: '1899-12-31' }).success).to.equal(false);
    expect(UpdatePatientProfileBody.safeParse({ allergies: Array(51).fill('x') }).success).to.equal(false);
    expect(UpdatePatientProfileBody.safeParse({ givenName: 'Ada', allergies: null }).success).to.equal(true);
  });

  it('lists only the own consultations and prescriptions', async () => {
    const other = await createPatientRow(app.clinical.models);
    const provider = await createProviderRow(app.clinical.models);
    const mine = await createConsultation(app.clinical.models, patient.userId, {
      status: 'in_progress',
      providerId: provider.userId,
    });
    await createConsultation(app.clinical.models, other.userId);
    const prescription = await app.clinical.prescriptions.write(provider, {
      consultationId: mine,
      medication: 'Ibuprofen',
      dosage: '200 mg',
      quantity: 10,
      refills: 1,
    });
    const consultations = await app.clinical.patients.listOwnConsultations(patient, { limit: 10 });
    expect(consultations.items.map((row) => row.id)).to.deep.equal([mine]);
    expect(consultations.items[0]).not.to.have.property('reason');
    const prescriptions = await app.clinical.patients.listOwnPrescriptions(patient, { limit: 10 });
    expect(prescriptions.items.map((row) => row.id)).to.deep.equal([prescription.id]);
    expect((await app.clinical.patients.listOwnPrescriptions(other, { limit: 10 })).items).to.deep.equal([]);
  });

  it('reads the records of concurrent requests in shared statements, each caller its own record', async () => {
    const others = [await createPatientRow(app.clinical.models), await createPatientRow(app.clinical.models)];
    await app.clinical.patients.updateOwnProfile(others[0]!, 1, { givenName: 'Second', allergies: [] });
    const batches = (suffix: string) =>
      metricValue(app.clinical.metrics, 'carewatch_db_read_batch_size', {}, suffix);
    const [countBefore, sumBefore] = [await batches('_count'), await batches('_sum')];

    const [own, second, third, upperCase, unknown, notAnId] = await Promise.allSettled([
      app.clinical.patients.getOwnProfile(patient),
      app.clinical.patients.getRecord(others[0]!.userId),
      app.clinical.patients.getRecord(others[1]!.userId),
      app.clinical.patients.getRecord(patient.userId.toUpperCase()),
      app.clinical.patients.getRecord(randomUUID()),
      // Not a UUID: it must not reach the shared statement, where PostgreSQL would refuse the whole batch.
      app.clinical.patients.getRecord('not-a-uuid'),
    ]);
    const value = <T>(result: PromiseSettledResult<T>) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    };
    expect(value(own)).to.include({ userId: patient.userId, givenName: 'Test', version: 1 });
    expect(value(own).allergies).to.deep.equal(['penicillin']);
    expect(value(second)).to.include({ userId: others[0]!.userId, givenName: 'Second', version: 2 });
    expect(value(second).allergies).to.deep.equal([]);
    expect(value(third)).to.include({ userId: others[1]!.userId, version: 1 });
    expect(value(upperCase)).to.include({ userId: patient.userId });
    for (const missing of [unknown, notAnId]) {
      expect(missing.status).to.equal('rejected');
      expect((missing as PromiseRejectedResult).reason).to.have.property('status', 404);
    }
    // The five ids shared fewer than five statements; the one that is not an id was never sent.
    expect(await batches('_sum')).to.equal(sumBefore + 5);
    expect((await batches('_count')) - countBefore).to.be.within(1, 4);
  });

  it('shows a provider demographics and medical data but never insurance or billing', async () => {
    const shown = presentPatientForProvider(await app.clinical.patients.getRecord(patient.userId));
    expect(Object.keys(shown).sort()).to.deep.equal(
      [
        'allergies',
        'conditions',
        'dateOfBirth',
        'familyName',
        'givenName',
        'medications',
        'patientId',
        'phone',
      ].sort(),
    );
  });
});
