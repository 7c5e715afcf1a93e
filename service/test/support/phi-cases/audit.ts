import { stepUp } from '../clinical-http';
import { api } from '../http';
import { createAdmin, createPatient } from '../identities';
import type { PhiRouteCase } from './types';

/** Looking at a patient's audit trail is itself an access to that patient's record. */
export const cases: PhiRouteCase[] = [
  {
    method: 'GET',
    path: '/v1/admin/audit/events',
    async call(runtime, requestId) {
      const [admin, patient] = await Promise.all([createAdmin(runtime), createPatient(runtime)]);
      const response = await api(runtime)
        .get('/v1/admin/audit/events')
        .query({ patientId: patient.userId })
        .set(admin.headers)
        .set('X-Request-Id', requestId);
      return { status: response.status, patientId: patient.userId };
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/audit/events/export',
    async call(runtime, requestId) {
      const [admin, patient] = await Promise.all([createAdmin(runtime), createPatient(runtime)]);
      await stepUp(runtime, admin);
      const response = await api(runtime)
        .get('/v1/admin/audit/events/export')
        .query({ patientId: patient.userId, format: 'csv' })
        .set(admin.headers)
        .set('X-Request-Id', requestId);
      return { status: response.status, patientId: patient.userId };
    },
  },
  ...(['after-hours', 'high-volume', 'break-glass'] as const).map((report): PhiRouteCase => ({
    method: 'GET',
    path: `/v1/admin/audit/reports/${report}`,
    async call(runtime, requestId) {
      const admin = await createAdmin(runtime);
      const to = new Date();
      const from = new Date(to.getTime() - 24 * 3600 * 1000);
      const response = await api(runtime)
        .get(`/v1/admin/audit/reports/${report}`)
        .query({ from: from.toISOString(), to: to.toISOString() })
        .set(admin.headers)
        .set('X-Request-Id', requestId);
      return { status: response.status };
    },
  })),
  {
    method: 'GET',
    path: '/v1/admin/audit/verify',
    async call(runtime, requestId) {
      const admin = await createAdmin(runtime);
      const response = await api(runtime)
        .get('/v1/admin/audit/verify')
        .set(admin.headers)
        .set('X-Request-Id', requestId);
      return { status: response.status };
    },
  },
];
