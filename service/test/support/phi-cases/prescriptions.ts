import { castOf, consultationIn, postAsProvider, prescriptionOf, stepUp } from '../clinical-http';
import { api } from '../http';
import { expectStatus } from '../identities';
import type { PhiRouteCase } from './types';

/** The prescription routes, each called once as the writer (or, for the list, the patient) would. */
const step = (path: string): PhiRouteCase => ({
  method: 'POST',
  path: `/v1/prescriptions/:id/${path}`,
  async call(runtime, requestId) {
    const cast = await castOf(runtime);
    const { id } = await prescriptionOf(runtime, cast);
    if (path === 'fill')
      expectStatus(
        await api(runtime).post(`/v1/prescriptions/${id}/send`).set(cast.provider.headers).send({}),
        200,
        'send before fill',
      );
    return postAsProvider(runtime, cast, `/v1/prescriptions/${id}/${path}`, requestId);
  },
});

export const cases: PhiRouteCase[] = [
  {
    method: 'POST',
    path: '/v1/prescriptions',
    async call(runtime, requestId) {
      const cast = await castOf(runtime);
      const consultationId = await consultationIn(runtime, cast, 'completed');
      await stepUp(runtime, cast.provider);
      return postAsProvider(runtime, cast, '/v1/prescriptions', requestId, {
        consultationId,
        medication: 'Ibuprofen 400 mg',
        dosage: 'As needed',
        quantity: 10,
      });
    },
  },
  {
    method: 'GET',
    path: '/v1/prescriptions',
    async call(runtime, requestId) {
      const cast = await castOf(runtime);
      const response = await api(runtime)
        .get('/v1/prescriptions')
        .set(cast.patient.headers)
        .set('X-Request-Id', requestId);
      return { status: response.status, patientId: cast.patient.userId };
    },
  },
  step('send'),
  step('fill'),
  step('cancel'),
];
