import { api } from '../http';
import { createAdmin, createPatient } from '../identities';
import type { PhiRouteCase } from './types';

export const cases: PhiRouteCase[] = [
  {
    method: 'POST',
    path: '/v1/admin/patients/:patientId/break-glass',
    async call(runtime, requestId) {
      const patient = await createPatient(runtime);
      const admin = await createAdmin(runtime);
      const response = await api(runtime)
        .post(`/v1/admin/patients/${patient.userId}/break-glass`)
        .set(admin.headers)
        .set('X-Request-Id', requestId)
        .send({ reason: 'Unconscious patient in the emergency room' });
      return { status: response.status, patientId: patient.userId };
    },
  },
];
