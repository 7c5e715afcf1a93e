import { api } from '../http';
import { createPatient } from '../identities';
import type { TestRuntime } from '../runtime';
import { getAsAssignedProvider } from './assigned-provider';
import type { PhiRouteCase } from './types';

/** A real call of one of the patient's own routes, as a new patient. */
const ownRoute = (method: 'GET' | 'PATCH', path: string): PhiRouteCase => ({
  method,
  path,
  async call(runtime: TestRuntime, requestId: string) {
    const patient = await createPatient(runtime);
    const request =
      method === 'GET'
        ? api(runtime).get(path)
        : api(runtime)
            .patch(path)
            .set('If-Match', 'W/"1"')
            .send({ medications: ['albuterol'] });
    const response = await request.set(patient.headers).set('X-Request-Id', requestId);
    return { status: response.status, patientId: patient.userId };
  },
});

export const cases: PhiRouteCase[] = [
  ownRoute('GET', '/v1/patients/me'),
  ownRoute('PATCH', '/v1/patients/me'),
  ownRoute('GET', '/v1/patients/me/consultations'),
  ownRoute('GET', '/v1/patients/me/prescriptions'),
  {
    method: 'GET',
    path: '/v1/patients/:patientId',
    call: (runtime, requestId) =>
      getAsAssignedProvider(runtime, requestId, (patientId) => `/v1/patients/${patientId}`),
  },
];
