import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { presentAccountStatus } from '../accounts/presenter';
import { AccountParams } from '../accounts/schemas';
import type { AccountStatusService } from '../accounts/status';
import { audited, fromParam } from '../audit/middleware';
import { authOf, originOf } from '../auth/context';
import { requireAal2, requireRole, requireStepUp } from '../auth/guards';
import type { ClinicalServices } from '../clinical-services';
import { presentPatientProfile } from '../patients/presenter';
import { PatientParams } from '../patients/schemas';
import { bodyOf, paramsOf, queryOf, validate } from '../platform/validate';
import { BreakGlassBody, ReportQuery, type ReportRange } from './schemas';
import type { AdminService } from './service';

export interface AdminRouteDeps {
  readonly clinical: Pick<ClinicalServices, 'admin'>;
  readonly accountStatus: AccountStatusService;
}

/** How long ago the admin must have proved who they are to break the glass. */
export const BREAK_GLASS_STEP_UP_SECONDS = 300;

const breakGlassIdOf = (ctx: Context): Record<string, string> => {
  const id = ctx.state.breakGlassId as string | undefined;
  return id ? { breakGlassId: id } : {};
};

type Report = (actor: Parameters<AdminService['volumeByDay']>[0], range: ReportRange) => Promise<unknown[]>;

/**
 * Admin work at aal2: reports over consultations (no PHI: counts and times by day, specialty, status
 * and provider), the break-glass read of one patient's record, and disabling and enabling accounts.
 */
export function adminRoutes({ clinical: { admin }, accountStatus }: AdminRouteDeps) {
  const router = new Router({ prefix: '/admin' });
  const asAdmin: Middleware[] = [requireRole('admin'), requireAal2()];

  const reports: Record<string, Report> = {
    volume: admin.volumeByDay,
    specialties: admin.specialtySummary,
    'provider-response': admin.providerResponseTimes,
  };
  for (const [path, report] of Object.entries(reports)) {
    router.get(`/reports/${path}`, ...asAdmin, validate({ query: ReportQuery }), async (ctx) => {
      ctx.body = { rows: await report(authOf(ctx), queryOf(ctx, ReportQuery)) };
    });
  }

  // The reason is free text about a patient: never logged and never put in the audit event, which names
  // the encrypted copy the service keeps (see GET /admin/audit/break-glass) and is marked high severity.
  router.post(
    '/patients/:patientId/break-glass',
    ...asAdmin,
    requireStepUp(BREAK_GLASS_STEP_UP_SECONDS),
    audited({
      action: 'break_glass',
      resourceType: 'Patient',
      patientIds: fromParam('patientId'),
      resourceIds: fromParam('patientId'),
      severity: 'high',
      details: breakGlassIdOf,
    }),
    validate({ params: PatientParams, body: BreakGlassBody }),
    async (ctx) => {
      const { patientId } = paramsOf(ctx, PatientParams);
      const access = { id: randomUUID(), requestId: ctx.state.requestId as string | undefined };
      ctx.state.breakGlassId = access.id;
      const { reason } = bodyOf(ctx, BreakGlassBody);
      const record = await admin.breakGlassRead(authOf(ctx), patientId, reason, access);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = presentPatientProfile(record);
    },
  );

  const statusChange = (change: AccountStatusService['disable']) =>
    [
      ...asAdmin,
      validate({ params: AccountParams }),
      async (ctx) => {
        const { id } = paramsOf(ctx, AccountParams);
        ctx.body = presentAccountStatus(await change(authOf(ctx), id, originOf(ctx)));
      },
    ] satisfies Middleware[];
  router.post('/users/:id/disable', ...statusChange(accountStatus.disable));
  router.post('/users/:id/enable', ...statusChange(accountStatus.enable));

  return router;
}
