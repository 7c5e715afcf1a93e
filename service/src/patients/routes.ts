import type { Context } from 'koa';
import { callerAsPatient, fromParam } from '../audit/subject';
import { authOf } from '../auth/context';
import { requireAal2, requireRole } from '../auth/guards';
import type { ClinicalServices } from '../clinical-services';
import { presentConsultationSummary } from '../consultations/presenter';
import { ConsultationListQuery, ConsultationSummaryResponse } from '../consultations/schemas';
import type { Actor } from '../platform/actor';
import { expectedVersion, sendVersioned } from '../platform/conditional-request';
import { pageResponse, presentPage, type Page, type PageRequest } from '../platform/keyset-page';
import { presentPrescription } from '../prescriptions/presenter';
import { PrescriptionListQuery, PrescriptionResponse } from '../prescriptions/schemas';
import { defineRoute, mountRoutes } from '../routing/route';
import { presentPatientForProvider, presentPatientProfile } from './presenter';
import {
  PatientClinicalResponse,
  PatientParams,
  PatientProfileResponse,
  UpdatePatientProfileBody,
} from './schemas';

const tags = ['patients'];
const myProfile = { 200: { description: 'My profile', schema: PatientProfileResponse, etag: true } };
/** On a patient's own routes the patient whose data is touched, and the record, is the caller. */
const ownData = (action: 'read' | 'update' | 'list', resourceType: string) =>
  ({ action, resourceType, patientIds: callerAsPatient, resourceIds: callerAsPatient }) as const;

/** A page of the caller's own rows, each through its presenter. */
const ownPage =
  <T, R>(list: (actor: Actor, page: PageRequest) => Promise<Page<T>>, present: (row: T) => R) =>
  async (ctx: Context, { query }: { query: PageRequest }) => {
    ctx.body = presentPage(await list(authOf(ctx), query), present);
  };

/**
 * A patient's own record and history (`/patients/me...`, patients only), and one patient's clinical
 * record for a provider caring for them. Admins get 403 on `/patients/:patientId` whatever the id: the
 * role alone decides, so nothing is revealed, and their only way to PHI is the audited break-glass
 * access (`POST /admin/patients/:patientId/break-glass`).
 */
export function patientRoutes({ patients, providers }: Pick<ClinicalServices, 'patients' | 'providers'>) {
  const patient = [requireRole('patient')];
  return mountRoutes([
    defineRoute({
      method: 'get',
      path: '/patients/me',
      summary: 'Read my profile',
      tags,
      guards: patient,
      audit: ownData('read', 'Patient'),
      responses: myProfile,
      handler: async (ctx) => {
        sendVersioned(ctx, presentPatientProfile(await patients.getOwnProfile(authOf(ctx))));
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/patients/me',
      summary: 'Change my profile',
      tags,
      guards: patient,
      audit: ownData('update', 'Patient'),
      input: { body: UpdatePatientProfileBody },
      ifMatch: true,
      responses: myProfile,
      handler: async (ctx, { body }) => {
        const version = expectedVersion(ctx);
        sendVersioned(
          ctx,
          presentPatientProfile(await patients.updateOwnProfile(authOf(ctx), version, body)),
        );
      },
    }),
    defineRoute({
      method: 'get',
      path: '/patients/me/consultations',
      summary: 'List my consultations',
      tags,
      guards: patient,
      audit: ownData('list', 'Consultation'),
      input: { query: ConsultationListQuery },
      responses: { 200: { description: 'A page', schema: pageResponse(ConsultationSummaryResponse) } },
      handler: ownPage(
        (actor, page) => patients.listOwnConsultations(actor, page),
        presentConsultationSummary,
      ),
    }),
    defineRoute({
      method: 'get',
      path: '/patients/me/prescriptions',
      summary: 'List my prescriptions',
      tags,
      guards: patient,
      audit: ownData('list', 'Prescription'),
      input: { query: PrescriptionListQuery },
      responses: { 200: { description: 'A page', schema: pageResponse(PrescriptionResponse) } },
      handler: ownPage((actor, page) => patients.listOwnPrescriptions(actor, page), presentPrescription),
    }),
    defineRoute({
      method: 'get',
      path: '/patients/:patientId',
      summary: 'Read a patient of mine (providers with an assigned consultation; admins use break-glass)',
      tags,
      guards: [requireRole('provider'), requireAal2()],
      audit: {
        action: 'read',
        resourceType: 'Patient',
        patientIds: fromParam('patientId'),
        resourceIds: fromParam('patientId'),
      },
      input: { params: PatientParams },
      responses: { 200: { description: 'The patient', schema: PatientClinicalResponse } },
      problems: [404],
      handler: async (ctx, { params }) => {
        ctx.body = presentPatientForProvider(
          await providers.getPatientForProvider(authOf(ctx), params.patientId),
        );
      },
    }),
  ]);
}
