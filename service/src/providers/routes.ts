import Router from '@koa/router';
import type { Context } from 'koa';
import { audited, patientIdsFromState } from '../audit/middleware';
import { authOf } from '../auth/context';
import { requireAal2, requireRole } from '../auth/guards';
import type { ClinicalServices } from '../clinical-services';
import { presentConsultationSummary, presentQueueEntry } from '../consultations/presenter';
import { AssignedConsultationListQuery, ConsultationListQuery } from '../consultations/schemas';
import type { ConsultationSummary } from '../consultations/service';
import { expectedVersion, sendVersioned } from '../platform/conditional-request';
import { presentPage, type Page } from '../platform/keyset-page';
import { bodyOf, queryOf, validate } from '../platform/validate';
import { presentProviderProfile } from './presenter';
import { SetAvailabilityBody, UpdateProviderProfileBody } from './schemas';

/**
 * A provider's own profile, availability, queue and assigned consultations. Every route wants the
 * provider at aal2: staff act with a second factor, and a provider who has not enrolled one yet has
 * nothing to do here before that.
 */
export function providerRoutes({ providers }: Pick<ClinicalServices, 'providers'>) {
  const router = new Router({ prefix: '/providers' });
  const provider = [requireRole('provider'), requireAal2()];

  router.get('/me', ...provider, async (ctx) => {
    sendVersioned(ctx, presentProviderProfile(await providers.getOwnProfile(authOf(ctx))));
  });

  router.patch('/me', ...provider, validate({ body: UpdateProviderProfileBody }), async (ctx) => {
    const version = expectedVersion(ctx);
    const body = bodyOf(ctx, UpdateProviderProfileBody);
    sendVersioned(ctx, presentProviderProfile(await providers.updateOwnProfile(authOf(ctx), version, body)));
  });

  router.put('/me/availability', ...provider, validate({ body: SetAvailabilityBody }), async (ctx) => {
    const { availability } = bodyOf(ctx, SetAvailabilityBody);
    sendVersioned(ctx, presentProviderProfile(await providers.setAvailability(authOf(ctx), availability)));
  });

  // Every row of a consultation list is a patient's: the audit names each patient whose row is returned.
  const auditedList = audited({
    action: 'list',
    resourceType: 'Consultation',
    patientIds: patientIdsFromState,
  });
  const sendAuditedPage = <R>(
    ctx: Context,
    page: Page<ConsultationSummary>,
    present: (row: ConsultationSummary) => R,
  ) => {
    ctx.state.auditPatientIds = page.items.map((row) => row.patientId);
    ctx.body = presentPage(page, present);
  };

  // The entries show no patient, but each is a patient's request.
  router.get(
    '/me/queue',
    ...provider,
    auditedList,
    validate({ query: ConsultationListQuery }),
    async (ctx) => {
      const page = await providers.queue(authOf(ctx), queryOf(ctx, ConsultationListQuery));
      sendAuditedPage(ctx, page, presentQueueEntry);
    },
  );

  // The provider's work: what is assigned to them, whatever its status, for the client to find it again.
  router.get(
    '/me/consultations',
    ...provider,
    auditedList,
    validate({ query: AssignedConsultationListQuery }),
    async (ctx) => {
      const query = queryOf(ctx, AssignedConsultationListQuery);
      sendAuditedPage(
        ctx,
        await providers.listOwnConsultations(authOf(ctx), query),
        presentConsultationSummary,
      );
    },
  );

  return router;
}
