import Router from '@koa/router';
import type { Context } from 'koa';
import { audited, fromParam, type IdExtractor } from '../audit/middleware';
import { authOf, optionalAuthOf } from '../auth/context';
import { requireAal2, requireRole } from '../auth/guards';
import type { ClinicalServices } from '../clinical-services';
import { presentConsultationSummary } from '../consultations/presenter';
import { expectedVersion, sendVersioned } from '../platform/conditional-request';
import type { Actor } from '../platform/actor';
import { PageQuery, presentPage, type Page, type PageRequest } from '../platform/keyset-page';
import { bodyOf, paramsOf, queryOf, validate } from '../platform/validate';
import { presentPrescription } from '../prescriptions/presenter';
import { presentPatientForProvider, presentPatientProfile } from './presenter';
import { PatientParams, UpdatePatientProfileBody } from './schemas';

/** On a patient's own routes the patient whose data is touched is the caller. */
const callerAsPatient: IdExtractor = (ctx: Context) => {
  const auth = optionalAuthOf(ctx);
  return auth ? [auth.userId] : [];
};
const ownData = (action: 'read' | 'update' | 'list', resourceType: string) =>
  audited({ action, resourceType, patientIds: callerAsPatient, resourceIds: callerAsPatient });

// Both lists page the same way (ConsultationListQuery and PrescriptionListQuery are PageQuery).
const pageQuery = { query: PageQuery };

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

  router.patch(
    '/me',
    patient,
    ownData('update', 'Patient'),
    validate({ body: UpdatePatientProfileBody }),
    async (ctx) => {
      const version = expectedVersion(ctx);
      const body = bodyOf(ctx, UpdatePatientProfileBody);
      sendVersioned(ctx, presentPatientProfile(await patients.updateOwnProfile(authOf(ctx), version, body)));
    },
  );

  /** A page of the caller's own rows, each through its presenter. */
  const ownPage =
    <T, R>(list: (actor: Actor, page: PageRequest) => Promise<Page<T>>, present: (row: T) => R) =>
    async (ctx: Context) => {
      const page = await list(authOf(ctx), queryOf(ctx, PageQuery));
      ctx.body = presentPage(page, present);
    };
  router.get(
    '/me/consultations',
    patient,
    ownData('list', 'Consultation'),
    validate(pageQuery),
    ownPage((actor, page) => patients.listOwnConsultations(actor, page), presentConsultationSummary),
  );
  router.get(
    '/me/prescriptions',
    patient,
    ownData('list', 'Prescription'),
    validate(pageQuery),
    ownPage((actor, page) => patients.listOwnPrescriptions(actor, page), presentPrescription),
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
    validate({ params: PatientParams }),
    async (ctx) => {
      const { patientId } = paramsOf(ctx, PatientParams);
      ctx.body = presentPatientForProvider(await providers.getPatientForProvider(authOf(ctx), patientId));
    },
  );

  return router;
}
