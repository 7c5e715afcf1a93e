import { stepUp } from '../clinical-http';
import { api } from '../http';
import { createAdmin, createPatient } from '../identities';
import type { PhiRouteCase } from './types';

/** A compliance query filtered to one patient, by an admin: its event must name that patient. */
const aboutOnePatient = (path: string): PhiRouteCase => ({
  method: 'GET',
  path,
  async call(runtime, requestId) {
    const [admin, patient] = await Promise.all([createAdmin(runtime), createPatient(runtime)]);
    const response = await api(runtime)
      .get(path)
      .query({ patientId: patient.userId })
      .set(admin.headers)
      .set('X-Request-Id', requestId);
    return { status: response.status, patientId: patient.userId };
  },
});

/** Looking at a patient's audit trail is itself an access to that patient's record. */
export const cases: PhiRouteCase[] = [
  aboutOnePatient('/v1/admin/audit/events'),
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
  aboutOnePatient('/v1/admin/audit/break-glass'),
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
