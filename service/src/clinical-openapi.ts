import { z } from 'zod';
import {
  ProviderResponseTimesResponse,
  ReportQuery,
  SpecialtySummaryResponse,
  VolumeReportResponse,
} from './admin/schemas';
import { BreakGlassBody } from './admin/schemas';
import { AccountParams, AccountStatusResponse } from './accounts/schemas';
import {
  AssignedConsultationListQuery,
  CompleteConsultationBody,
  ConsultationListQuery,
  ConsultationParams,
  ConsultationResponse,
  ConsultationSummaryResponse,
  QueueEntryResponse,
  RequestConsultationBody,
} from './consultations/schemas';
import {
  PatientClinicalResponse,
  PatientParams,
  PatientProfileResponse,
  UpdatePatientProfileBody,
} from './patients/schemas';
import { pageResponse } from './platform/keyset-page';
import type { RouteDeclaration } from './platform/openapi';
import {
  PrescriptionListQuery,
  PrescriptionParams,
  PrescriptionResponse,
  WritePrescriptionBody,
} from './prescriptions/schemas';
import { ProviderProfileResponse, SetAvailabilityBody, UpdateProviderProfileBody } from './providers/schemas';

/**
 * The clinical API as the routes will expose it: one declaration per route, from the schemas the routes
 * validate with. The router mounts these paths; the OpenAPI document is generated from this list.
 */
const bearer = { security: 'bearer' } as const;
const ok = (description: string, schema: z.ZodType, etag = false) => ({ 200: { description, schema, etag } });
const consultation = ok('The consultation', ConsultationResponse);
const prescription = ok('The prescription', PrescriptionResponse);
/** A status change: `POST /<resource>/:id/<path>`, answering the changed row, 404 or 409. */
const stepOf =
  (
    resource: 'consultations' | 'prescriptions',
    params: z.ZodObject,
    responses: RouteDeclaration['responses'],
  ) =>
  (path: string, summary: string): RouteDeclaration => ({
    ...bearer,
    method: 'post',
    path: `/${resource}/:id/${path}`,
    summary,
    tags: [resource],
    params,
    responses,
    problems: [404, 409],
  });
const step = stepOf('consultations', ConsultationParams, consultation);
const prescriptionStep = stepOf('prescriptions', PrescriptionParams, prescription);
const report = (path: string, summary: string, schema: z.ZodType): RouteDeclaration => ({
  ...bearer,
  method: 'get',
  path: `/admin/reports/${path}`,
  summary,
  tags: ['admin'],
  query: ReportQuery,
  responses: ok('The report', schema),
});

const accountStatusStep = (path: 'disable' | 'enable', summary: string): RouteDeclaration => ({
  ...bearer,
  method: 'post',
  path: `/admin/users/:id/${path}`,
  summary,
  tags: ['admin'],
  params: AccountParams,
  responses: ok('The account', AccountStatusResponse),
  problems: [404, 409],
});

export const clinicalRoutes: readonly RouteDeclaration[] = [
  {
    ...bearer,
    method: 'get',
    path: '/patients/me',
    summary: 'Read my profile',
    tags: ['patients'],
    responses: ok('My profile', PatientProfileResponse, true),
  },
  {
    ...bearer,
    method: 'patch',
    path: '/patients/me',
    summary: 'Change my profile',
    tags: ['patients'],
    body: UpdatePatientProfileBody,
    ifMatch: true,
    responses: ok('My profile', PatientProfileResponse, true),
  },
  {
    ...bearer,
    method: 'get',
    path: '/patients/me/consultations',
    summary: 'List my consultations',
    tags: ['patients'],
    query: ConsultationListQuery,
    responses: ok('A page', pageResponse(ConsultationSummaryResponse)),
  },
  {
    ...bearer,
    method: 'get',
    path: '/patients/me/prescriptions',
    summary: 'List my prescriptions',
    tags: ['patients'],
    query: PrescriptionListQuery,
    responses: ok('A page', pageResponse(PrescriptionResponse)),
  },
  {
    ...bearer,
    method: 'get',
    path: '/providers/me',
    summary: 'Read my provider profile',
    tags: ['providers'],
    responses: ok('My profile', ProviderProfileResponse, true),
  },
  {
    ...bearer,
    method: 'patch',
    path: '/providers/me',
    summary: 'Change my provider profile',
    tags: ['providers'],
    body: UpdateProviderProfileBody,
    ifMatch: true,
    responses: ok('My profile', ProviderProfileResponse, true),
  },
  {
    ...bearer,
    method: 'put',
    path: '/providers/me/availability',
    summary: 'Set my availability',
    tags: ['providers'],
    body: SetAvailabilityBody,
    responses: ok('My profile', ProviderProfileResponse, true),
  },
  {
    ...bearer,
    method: 'get',
    path: '/providers/me/queue',
    summary: 'Requests waiting in my specialty',
    tags: ['providers'],
    query: ConsultationListQuery,
    responses: ok('A page', pageResponse(QueueEntryResponse)),
  },
  {
    ...bearer,
    method: 'get',
    path: '/providers/me/consultations',
    summary: 'List the consultations assigned to me, newest first (optionally of one status)',
    tags: ['providers'],
    query: AssignedConsultationListQuery,
    responses: ok('A page', pageResponse(ConsultationSummaryResponse)),
  },
  {
    ...bearer,
    method: 'get',
    path: '/patients/:patientId',
    summary: 'Read a patient of mine (providers with an assigned consultation; admins use break-glass)',
    tags: ['patients'],
    params: PatientParams,
    responses: ok('The patient', PatientClinicalResponse),
    problems: [404],
  },
  {
    ...bearer,
    method: 'post',
    path: '/consultations',
    summary: 'Request a consultation',
    tags: ['consultations'],
    body: RequestConsultationBody,
    responses: { 201: { description: 'Requested', schema: ConsultationResponse } },
    problems: [409],
  },
  {
    ...bearer,
    method: 'get',
    path: '/consultations/:id',
    summary: 'Read a consultation',
    tags: ['consultations'],
    params: ConsultationParams,
    responses: consultation,
    problems: [404],
  },
  step('accept', 'Accept a request (the first provider wins)'),
  step('start', 'Start an accepted consultation'),
  { ...step('complete', 'Complete a consultation with notes and outcome'), body: CompleteConsultationBody },
  step('no-show', 'Record that the patient did not join'),
  step('cancel', 'Cancel a consultation'),
  {
    ...bearer,
    method: 'post',
    path: '/prescriptions',
    summary: 'Write a prescription',
    tags: ['prescriptions'],
    body: WritePrescriptionBody,
    responses: { 201: { description: 'Written', schema: PrescriptionResponse } },
    problems: [404, 409],
  },
  {
    ...bearer,
    method: 'get',
    path: '/prescriptions',
    summary: 'List my prescriptions (patient) or the ones I wrote (provider)',
    tags: ['prescriptions'],
    query: PrescriptionListQuery,
    responses: ok('A page', pageResponse(PrescriptionResponse)),
  },
  prescriptionStep('send', 'Send to the pharmacy'),
  prescriptionStep('fill', 'Record that it was filled'),
  prescriptionStep('cancel', 'Cancel a prescription'),
  report('volume', 'Consultations by day, specialty and status', VolumeReportResponse),
  report('specialties', 'Completion and waiting times by specialty', SpecialtySummaryResponse),
  report('provider-response', 'Response times by provider', ProviderResponseTimesResponse),
  {
    ...bearer,
    method: 'post',
    path: '/admin/patients/:patientId/break-glass',
    summary: 'Emergency read of a patient record (audited)',
    tags: ['admin'],
    params: PatientParams,
    body: BreakGlassBody,
    responses: ok('The patient', PatientProfileResponse),
    problems: [404],
  },
  accountStatusStep('disable', 'Disable an account and revoke all its sessions at once'),
  accountStatusStep('enable', 'Enable a disabled account again'),
];
