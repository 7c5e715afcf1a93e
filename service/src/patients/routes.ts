import type { z } from 'zod';
import { callerAsPatient, fromParam } from '../audit/subject';
import { readAuditOf } from '../audit/read-audit';
import { authOf } from '../auth/context';
import { requireAal2, requireRole } from '../auth/guards';
import type { ClinicalServices } from '../clinical-services';
import { presentConsultationSummary } from '../consultations/presenter';
import { ConsultationSummaryResponse } from '../consultations/schemas';
import type { Actor } from '../platform/actor';
import { PageQuery, pageResponse, presentPage, type Page, type PageRequest } from '../platform/keyset-page';
import { presentPrescription } from '../prescriptions/presenter';
import { PrescriptionResponse } from '../prescriptions/schemas';
import { ownProfileRoutes } from '../routing/own-profile';
import { defineRoute, mountRoutes, type Route } from '../routing/route';
import { presentPatientForProvider, presentPatientProfile } from './presenter';
import {
  PatientClinicalResponse,
  PatientParams,
  PatientProfileResponse,
  UpdatePatientProfileBody,
} from './schemas';

const tags = ['patients'];
/** On a patient's own routes the patient whose data is touched, and the record, is the caller. */
const ownData = (action: 'read' | 'update' | 'list', resourceType: string) =>
  ({ action, resourceType, patientIds: callerAsPatient, resourceIds: callerAsPatient }) as const;

/**
 * A patient's own record and history (`/patients/me...`, patients only), and one patient's clinical
 * record for a provider caring for them. Admins get 403 on `/patients/:patientId` whatever the id: the
 * role alone decides, so nothing is revealed, and their only way to PHI is the audited break-glass
 * access (`POST /admin/patients/:patientId/break-glass`).
 */
export function patientRoutes({ patients, providers }: Pick<ClinicalServices, 'patients' | 'providers'>) {
  const patient = [requireRole('patient')];
  /** `GET /patients/me/<things>`: a page of the caller's own rows, each through its presenter. */
  const ownList = <T, R>(
    things: 'consultations' | 'prescriptions',
    resourceType: string,
    schema: z.ZodType,
    list: (actor: Actor, page: PageRequest) => Promise<Page<T>>,
    present: (row: T) => R,
  ): Route =>
    defineRoute({
      method: 'get',
      path: `/patients/me/${things}`,
      summary: `List my ${things}`,
      tags,
      guards: patient,
      audit: ownData('list', resourceType),
      // Both lists page the same way (ConsultationListQuery and PrescriptionListQuery are PageQuery).
      input: { query: PageQuery },
      responses: { 200: { description: 'A page', schema } },
      handler: async (ctx, { query }) => {
        ctx.body = presentPage(await list(authOf(ctx), query), present);
      },
    });
  return mountRoutes([
    ...ownProfileRoutes({
      path: '/patients/me',
      noun: 'profile',
      tags,
      guards: patient,
      audit: (action) => ownData(action, 'Patient'),
      body: UpdatePatientProfileBody,
      response: PatientProfileResponse,
      service: patients,
      present: presentPatientProfile,
    }),
    ownList(
      'consultations',
      'Consultation',
      pageResponse(ConsultationSummaryResponse),
      (actor, page) => patients.listOwnConsultations(actor, page),
      presentConsultationSummary,
    ),
    ownList(
      'prescriptions',
      'Prescription',
      pageResponse(PrescriptionResponse),
      (actor, page) => patients.listOwnPrescriptions(actor, page),
      presentPrescription,
    ),
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
          await providers.getPatientForProvider(authOf(ctx), params.patientId, readAuditOf(ctx)),
        );
      },
    }),
  ]);
}
