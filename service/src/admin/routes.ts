import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { z } from 'zod';
import { presentAccountStatus } from '../accounts/presenter';
import { AccountParams, AccountStatusResponse } from '../accounts/schemas';
import type { AccountStatusService } from '../accounts/status';
import { fromParam, noteAuditSubject } from '../audit/subject';
import { authOf, originOf } from '../auth/context';
import { requireAal2, requireRole, requireStepUp } from '../auth/guards';
import type { ClinicalServices } from '../clinical-services';
import { presentPatientProfile } from '../patients/presenter';
import { PatientParams, PatientProfileResponse } from '../patients/schemas';
import { defineRoute, mountRoutes, type Route } from '../routing/route';
import {
  BreakGlassBody,
  ProviderResponseTimesResponse,
  ReportQuery,
  SpecialtySummaryResponse,
  VolumeReportResponse,
  type ReportRange,
} from './schemas';
import type { AdminService } from './service';

const tags = ['admin'];

export interface AdminRouteDeps {
  readonly clinical: Pick<ClinicalServices, 'admin'>;
  readonly accountStatus: AccountStatusService;
}

/** How long ago the admin must have proved who they are to break the glass. */
export const BREAK_GLASS_STEP_UP_SECONDS = 300;

type Report = (actor: Parameters<AdminService['volumeByDay']>[0], range: ReportRange) => Promise<unknown[]>;

/**
 * Admin work at aal2: reports over consultations (no PHI: counts and times by day, specialty, status
 * and provider), the break-glass read of one patient's record, and disabling and enabling accounts.
 */
export function adminRoutes({ clinical: { admin }, accountStatus }: AdminRouteDeps) {
  const asAdmin: Middleware[] = [requireRole('admin'), requireAal2()];

  const report = (path: string, summary: string, schema: z.ZodType, run: Report): Route =>
    defineRoute({
      method: 'get',
      path: `/admin/reports/${path}`,
      summary,
      tags,
      guards: asAdmin,
      input: { query: ReportQuery },
      responses: { 200: { description: 'The report', schema } },
      handler: async (ctx, { query }) => {
        ctx.body = { rows: await run(authOf(ctx), query) };
      },
    });

  const statusChange = (
    path: 'disable' | 'enable',
    summary: string,
    change: AccountStatusService['disable'],
  ) =>
    defineRoute({
      method: 'post',
      path: `/admin/users/:id/${path}`,
      summary,
      tags,
      guards: asAdmin,
      input: { params: AccountParams },
      responses: { 200: { description: 'The account', schema: AccountStatusResponse } },
      problems: [404, 409],
      handler: async (ctx, { params }) => {
        ctx.body = presentAccountStatus(await change(authOf(ctx), params.id, originOf(ctx)));
      },
    });

  return mountRoutes([
    report('volume', 'Consultations by day, specialty and status', VolumeReportResponse, admin.volumeByDay),
    report(
      'specialties',
      'Completion and waiting times by specialty',
      SpecialtySummaryResponse,
      admin.specialtySummary,
    ),
    report(
      'provider-response',
      'Response times by provider',
      ProviderResponseTimesResponse,
      admin.providerResponseTimes,
    ),
    // The reason is free text about a patient: never logged and never put in the audit event, which names
    // the encrypted copy the service keeps (see GET /admin/audit/break-glass) and is marked high severity.
    defineRoute({
      method: 'post',
      path: '/admin/patients/:patientId/break-glass',
      summary: 'Emergency read of a patient record (audited)',
      tags,
      guards: [...asAdmin, requireStepUp(BREAK_GLASS_STEP_UP_SECONDS)],
      audit: {
        action: 'break_glass',
        resourceType: 'Patient',
        patientIds: fromParam('patientId'),
        resourceIds: fromParam('patientId'),
        severity: 'high',
      },
      input: { params: PatientParams, body: BreakGlassBody },
      responses: { 200: { description: 'The patient', schema: PatientProfileResponse } },
      problems: [404],
      handler: async (ctx, { params, body }) => {
        const access = { id: randomUUID(), requestId: ctx.state.requestId };
        noteAuditSubject(ctx, { details: { breakGlassId: access.id } });
        const record = await admin.breakGlassRead(authOf(ctx), params.patientId, body.reason, access);
        ctx.set('Cache-Control', 'no-store');
        ctx.body = presentPatientProfile(record);
      },
    }),
    statusChange('disable', 'Disable an account and revoke all its sessions at once', accountStatus.disable),
    statusChange('enable', 'Enable a disabled account again', accountStatus.enable),
  ]);
}
