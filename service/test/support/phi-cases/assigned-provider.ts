import { createConsultation } from '../clinical-factories';
import { api } from '../http';
import { createPatient, createProvider } from '../identities';
import type { TestRuntime } from '../runtime';

/**
 * A GET by a new provider with one accepted consultation of a new patient: the provider may see that
 * patient, and that patient is the one the audit event must name. `pathOf` gets the patient's id.
 */
export async function getAsAssignedProvider(
  runtime: TestRuntime,
  requestId: string,
  pathOf: (patientId: string) => string,
): Promise<{ status: number; patientId: string }> {
  const patient = await createPatient(runtime);
  const provider = await createProvider(runtime);
  await createConsultation(runtime.models, patient.userId, {
    providerId: provider.userId,
    status: 'accepted',
  });
  const response = await api(runtime)
    .get(pathOf(patient.userId))
    .set(provider.headers)
    .set('X-Request-Id', requestId);
  return { status: response.status, patientId: patient.userId };
}
