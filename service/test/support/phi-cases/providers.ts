import { createConsultation } from '../clinical-factories';
import { api } from '../http';
import { createPatient, createProvider } from '../identities';
import { encodeCursor } from '../../../src/platform/keyset-page';
import { getAsAssignedProvider } from './assigned-provider';
import type { PhiRouteCase } from './types';

export const cases: PhiRouteCase[] = [
  {
    method: 'GET',
    path: '/v1/providers/me/queue',
    async call(runtime, requestId) {
      // The queue is oldest first and shared by every test of the specialty: a cursor just before this
      // request makes it the first entry whatever else is waiting.
      const patient = await createPatient(runtime);
      const provider = await createProvider(runtime, { specialty: 'dermatology' });
      const requestedAt = new Date();
      await createConsultation(runtime.models, patient.userId, { specialty: 'dermatology', requestedAt });
      const cursor = encodeCursor(
        new Date(requestedAt.getTime() - 1),
        '00000000-0000-0000-0000-000000000000',
      );
      const response = await api(runtime)
        .get(`/v1/providers/me/queue?limit=1&cursor=${cursor}`)
        .set(provider.headers)
        .set('X-Request-Id', requestId);
      return { status: response.status, patientId: patient.userId };
    },
  },
  {
    method: 'GET',
    path: '/v1/providers/me/consultations',
    // A new provider: the one consultation assigned to them is the whole list.
    call: (runtime, requestId) =>
      getAsAssignedProvider(runtime, requestId, () => '/v1/providers/me/consultations'),
  },
];
