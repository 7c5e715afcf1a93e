import { expect } from 'chai';
import {
  createConsultation,
  createPatientRow,
  createProviderRow,
} from '../../test/support/clinical-factories';
import { presentConsultation, presentConsultationSummary, presentQueueEntry } from './presenter';
import { ConsultationResponse, ConsultationSummaryResponse, QueueEntryResponse } from './schemas';
import { useTestApp } from '../../test/support/test-app';

describe('the consultation presenters', () => {
  const app = useTestApp();
  it('carry exactly the fields their response schemas allow, free text only in the full view', async () => {
    const runtime = app.clinical;
    const patient = await createPatientRow(runtime.models);
    const provider = await createProviderRow(runtime.models, 'urgent_care');
    const id = await createConsultation(runtime.models, patient.userId, {
      status: 'accepted',
      providerId: provider.userId,
      specialty: 'urgent_care',
    });
    const full = presentConsultation(await runtime.consultations.get(provider, id));
    expect(ConsultationResponse.parse(full)).to.deep.equal(full);
    expect(full).to.include({ reason: 'Persistent cough', status: 'accepted', providerId: provider.userId });

    const [listed] = (await runtime.consultations.listForPatient(patient.userId, { limit: 1 })).items;
    const summary = presentConsultationSummary(listed!);
    expect(ConsultationSummaryResponse.parse(summary)).to.deep.equal(summary);
    expect(summary).not.to.have.any.keys('reason', 'notes');

    const entry = presentQueueEntry(listed!);
    expect(QueueEntryResponse.parse(entry)).to.deep.equal(entry);
    expect(Object.keys(entry).sort()).to.deep.equal(['expiresAt', 'id', 'requestedAt', 'specialty']);
  });
});
