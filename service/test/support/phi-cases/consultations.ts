import type { ConsultationStatus } from '../../../src/consultations/model';
import { castOf, consultationIn, postAsProvider, SPECIALTY } from '../clinical-http';
import { api } from '../http';
import { createPatient } from '../identities';
import type { PhiRouteCase } from './types';

/** The consultation routes, each called once as its owner or assigned provider would. */
const step = (path: string, from: ConsultationStatus, body: object = {}): PhiRouteCase => ({
  method: 'POST',
  path: `/v1/consultations/:id/${path}`,
  async call(runtime, requestId) {
    const cast = await castOf(runtime);
    const id = await consultationIn(runtime, cast, from);
    return postAsProvider(runtime, cast, `/v1/consultations/${id}/${path}`, requestId, body);
  },
});

export const cases: PhiRouteCase[] = [
  {
    method: 'POST',
    path: '/v1/consultations',
    async call(runtime, requestId) {
      // A patient of its own: the cast's patient may already have the most requests allowed waiting.
      const who = await createPatient(runtime);
      const response = await api(runtime)
        .post('/v1/consultations')
        .set(who.headers)
        .set('X-Request-Id', requestId)
        .send({ specialty: SPECIALTY, reason: 'Headache since yesterday' });
      return { status: response.status, patientId: who.userId };
    },
  },
  {
    method: 'GET',
    path: '/v1/consultations/:id',
    async call(runtime, requestId) {
      const cast = await castOf(runtime);
      const id = await consultationIn(runtime, cast, 'accepted');
      const response = await api(runtime)
        .get(`/v1/consultations/${id}`)
        .set(cast.patient.headers)
        .set('X-Request-Id', requestId);
      return { status: response.status, patientId: cast.patient.userId };
    },
  },
  step('accept', 'requested'),
  step('start', 'accepted'),
  step('complete', 'in_progress', { outcome: 'resolved', notes: 'Tension headache; rest.' }),
  step('no-show', 'accepted'),
  step('cancel', 'accepted'),
];
