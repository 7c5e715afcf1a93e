import Router from '@koa/router';
import type { Context } from 'koa';
import { audited, fromParam, type IdExtractor } from '../audit/middleware';
import { authOf, optionalAuthOf } from '../auth/context';
import { requireAal2, requireRole } from '../auth/guards';
import type { ClinicalServices } from '../clinical-services';
import { ConsultationListQuery } from '../consultations/schemas';
import { presentConsultationSummary } from '../consultations/presenter';
import { expectedVersion, sendVersioned } from '../platform/conditional-request';
import { presentPage } from '../platform/keyset-page';
import { inputOf, validate } from '../platform/validate';
import { presentPrescription } from '../prescriptions/presenter';
import { PrescriptionListQuery } from '../prescriptions/schemas';
import { presentPatientForProvider, presentPatientProfile } from './presenter';
import { PatientParams, UpdatePatientProfileBody } from './schemas';

/** On a patient's own routes the patient whose data is touched is the caller. */
const callerAsPatient: IdExtractor = (ctx: Context) => {
  const auth = optionalAuthOf(ctx);
  return auth ? [auth.userId] : [];
};
const ownData = (action: 'read' | 'update' | 'list', resourceType: string) =>
  audited({ action, resourceType, patientIds: callerAsPatient, resourceIds: callerAsPatient });

const updateProfile = { body: UpdatePatientProfileBody };
const consultationPage = { query: ConsultationListQuery };
const prescriptionPage = { query: PrescriptionListQuery };
const patientParams = { params: PatientParams };

/**
 * A patient's own record and history (`/patients/me...`, patients only), and one patient's clinical
 * record for a provider caring for them. Admins get 403 on `/patients/:patientId` whatever the id: the
 * role alone decides, so nothing is revealed, and their only way to PHI is the audited break-glass
 * access (`POST /admin/patients/:patientId/break-glass`).
 */
export function patientRoutes({ patients, providers }: Pick<ClinicalServices, 'patients' | 'providers'>) {
  const router = new Router({ prefix: '/patients' });
  const patient = requireRole('patient');

  router.get('/me', patient, ownData('read', 'Patient'), async (ctx) => {
    sendVersioned(ctx, presentPatientProfile(await patients.getOwnProfile(authOf(ctx))));
  });

  router.patch('/me', patient, ownData('update', 'Patient'), validate(updateProfile), async (ctx) => {
    const version = expectedVersion(ctx);
    const { body } = inputOf(ctx, updateProfile);
    sendVersioned(ctx, presentPatientProfile(await patients.updateOwnProfile(authOf(ctx), version, body)));
  });

  router.get(
    '/me/consultations',
    patient,
    ownData('list', 'Consultation'),
    validate(consultationPage),
    async (ctx) => {
      const page = await patients.listOwnConsultations(authOf(ctx), inputOf(ctx, consultationPage).query);
      ctx.body = presentPage(page, presentConsultationSummary);
    },
  );

  router.get(
    '/me/prescriptions',
    patient,
    ownData('list', 'Prescription'),
    validate(prescriptionPage),
    async (ctx) => {
      const page = await patients.listOwnPrescriptions(authOf(ctx), inputOf(ctx, prescriptionPage).query);
      ctx.body = presentPage(page, presentPrescription);
    },
  );

  router.get(
    '/:patientId',
    requireRole('provider'),
    requireAal2(),
    audited({
      action: 'read',
      resourceType: 'Patient',
      patientIds: fromParam('patientId'),
      resourceIds: fromParam('patientId'),
    }),
    validate(patientParams),
    async (ctx) => {
      const { patientId } = inputOf(ctx, patientParams).params;
      ctx.body = presentPatientForProvider(await providers.getPatientForProvider(authOf(ctx), patientId));
    },
  );

  return router;
}
