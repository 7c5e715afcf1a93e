import { expect } from 'chai';
import type { ConsultationStatus } from '../consultations/model';
import type { Actor } from '../platform/actor';
import { refusedWith, storedRow } from '../../test/support/assertions';
import {
  createAdminRow,
  createConsultation,
  createPatientRow,
  createProviderRow,
} from '../../test/support/clinical-factories';
import type { PrescriptionStatus } from './model';
import { WritePrescriptionBody } from './schemas';
import { useTestApp } from '../../test/support/test-app';

const valid = {
  medication: 'Amoxicillin 500 mg',
  dosage: 'One capsule three times a day',
  quantity: 21,
  refills: 0,
};

describe('the prescription service', () => {
  const app = useTestApp();
  let patient: Actor;
  let provider: Actor;

  const consultationIn = (status: ConsultationStatus) =>
    createConsultation(app.clinical.models, patient.userId, {
      status,
      providerId: status === 'requested' ? null : provider.userId,
    });
  const written = async (status: PrescriptionStatus = 'issued') => {
    const prescription = await app.clinical.prescriptions.write(provider, {
      ...valid,
      consultationId: await consultationIn('in_progress'),
    });
    if (status !== 'issued')
      await app.clinical.models.Prescription.update({ status }, { where: { id: prescription.id } });
    return prescription.id;
  };

  beforeEach(async () => {
    patient = await createPatientRow(app.clinical.models);
    provider = await createProviderRow(app.clinical.models);
  });

  it('is written by the provider of an in-progress or completed consultation, for its patient', async () => {
    for (const status of ['in_progress', 'completed'] as const) {
      const consultationId = await consultationIn(status);
      const prescription = await app.clinical.prescriptions.write(provider, { ...valid, consultationId });
      expect(prescription).to.include({
        status: 'issued',
        patientId: patient.userId,
        providerId: provider.userId,
        quantity: 21,
      });
    }
    for (const status of ['requested', 'accepted', 'cancelled', 'no_show'] as const) {
      const consultationId = await consultationIn(status);
      const expected = status === 'requested' ? 404 : 409;
      await refusedWith(app.clinical.prescriptions.write(provider, { ...valid, consultationId }), expected);
    }
  });

  it('is refused to an unrelated provider (404) and to anyone but a provider (403)', async () => {
    const consultationId = await consultationIn('in_progress');
    await refusedWith(
      app.clinical.prescriptions.write(await createProviderRow(app.clinical.models), {
        ...valid,
        consultationId,
      }),
      404,
    );
    await refusedWith(app.clinical.prescriptions.write(patient, { ...valid, consultationId }), 403);
    expect(await app.clinical.models.Prescription.count({ where: { consultationId } })).to.equal(0);
  });

  it('validates medication, dosage, quantity and refills at their limits and rejects unknown fields', () => {
    const parse = (changes: Record<string, unknown>) =>
      WritePrescriptionBody.safeParse({
        ...valid,
        consultationId: '7b6f1e0e-8a51-4d43-9f5c-2f9f0f1e2a3b',
        ...changes,
      }).success;
    for (const accepted of [
      { medication: 'x' },
      { medication: 'm'.repeat(200) },
      { dosage: 'd'.repeat(200) },
      { quantity: 1 },
      { quantity: 1000 },
      { refills: 0 },
      { refills: 12 },
    ]) {
      expect(parse(accepted), JSON.stringify(accepted)).to.equal(true);
    }
    for (const refused of [
      { medication: '' },
      { medication: 'm'.repeat(201) },
      { dosage: '' },
      { dosage: 'd'.repeat(201) },
      { quantity: 0 },
      { quantity: 1001 },
      { quantity: 2.5 },
      { quantity: '10' },
      { refills: -1 },
      { refills: 13 },
      { consultationId: 'nope' },
      { pharmacy: 'elsewhere' },
    ]) {
      expect(parse(refused), JSON.stringify(refused)).to.equal(false);
    }
  });

  it('goes issued -> sent -> filled, stamping each step', async () => {
    const id = await written();
    expect((await app.clinical.prescriptions.send(provider, id)).sentAt).to.be.instanceOf(Date);
    const filled = await app.clinical.prescriptions.markFilled(provider, id);
    expect(filled).to.include({ status: 'filled', version: 3 });
    expect(filled.filledAt).to.be.instanceOf(Date);
  });

  it('refuses invalid moves with 409 and changes nothing', async () => {
    const cases: [PrescriptionStatus, 'send' | 'markFilled' | 'cancel'][] = [
      ['issued', 'markFilled'],
      ['sent', 'send'],
      ['filled', 'cancel'],
      ['filled', 'send'],
      ['cancelled', 'send'],
      ['cancelled', 'markFilled'],
      ['cancelled', 'cancel'],
    ];
    for (const [status, action] of cases) {
      const id = await written(status);
      const before = await storedRow(app.clinical.sequelize, 'prescriptions', id);
      await refusedWith(app.clinical.prescriptions[action](provider, id), 409, 'invalid_transition');
      expect(await storedRow(app.clinical.sequelize, 'prescriptions', id)).to.deep.equal(before);
    }
  });

  it('is cancelled by its writer or an admin from issued or sent, never by someone else', async () => {
    expect((await app.clinical.prescriptions.cancel(provider, await written('issued'))).status).to.equal(
      'cancelled',
    );
    expect(
      (
        await app.clinical.prescriptions.cancel(
          await createAdminRow(app.clinical.models),
          await written('sent'),
        )
      ).status,
    ).to.equal('cancelled');
    const id = await written();
    await refusedWith(
      app.clinical.prescriptions.cancel(await createProviderRow(app.clinical.models), id),
      404,
    );
    await refusedWith(app.clinical.prescriptions.cancel(patient, id), 403);
    await refusedWith(app.clinical.prescriptions.send(await createAdminRow(app.clinical.models), id), 403);
  });

  it("lists a patient's own prescriptions and a provider's written ones, newest first, by pages", async () => {
    const ids = [await written(), await written(), await written()];
    const otherProvider = await createProviderRow(app.clinical.models);
    const otherConsultation = await createConsultation(app.clinical.models, patient.userId, {
      status: 'completed',
      providerId: otherProvider.userId,
    });
    const others = await app.clinical.prescriptions.write(otherProvider, {
      ...valid,
      consultationId: otherConsultation,
    });

    const first = await app.clinical.prescriptions.listMine(patient, { limit: 3 });
    expect(first.items.map((row) => row.id)).to.deep.equal([others.id, ...ids.slice(1).reverse()]);
    const second = await app.clinical.prescriptions.listMine(patient, {
      limit: 3,
      cursor: first.nextCursor!,
    });
    expect(second).to.deep.include({ nextCursor: null });
    expect(second.items.map((row) => row.id)).to.deep.equal([ids[0]]);

    const mine = await app.clinical.prescriptions.listMine(provider, { limit: 100 });
    expect(mine.items.map((row) => row.id)).to.deep.equal([...ids].reverse());
    const stranger = await createPatientRow(app.clinical.models);
    expect((await app.clinical.prescriptions.listMine(stranger, { limit: 100 })).items).to.deep.equal([]);
  });
});
