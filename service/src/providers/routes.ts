import Router from '@koa/router';
import { audited, patientIdsFromState } from '../audit/middleware';
import { authOf } from '../auth/context';
import { requireAal2, requireRole } from '../auth/guards';
import type { ClinicalServices } from '../clinical-services';
import { presentQueueEntry } from '../consultations/presenter';
import { ConsultationListQuery } from '../consultations/schemas';
import { expectedVersion, sendVersioned } from '../platform/conditional-request';
import { presentPage } from '../platform/keyset-page';
import { bodyOf, queryOf, validate } from '../platform/validate';
import { presentProviderProfile } from './presenter';
import { SetAvailabilityBody, UpdateProviderProfileBody } from './schemas';

/**
 * A provider's own profile, availability and queue. Every route wants the provider at aal2: staff act
 * with a second factor, and a provider who has not enrolled one yet has nothing to do here before that.
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

  // The entries show no patient, but each is a patient's request: the audit names every one returned.
  router.get(
    '/me/queue',
    ...provider,
    audited({ action: 'list', resourceType: 'Consultation', patientIds: patientIdsFromState }),
    validate({ query: ConsultationListQuery }),
    async (ctx) => {
      const page = await providers.queue(authOf(ctx), queryOf(ctx, ConsultationListQuery));
      ctx.state.auditPatientIds = page.items.map((row) => row.patientId);
      ctx.body = presentPage(page, presentQueueEntry);
    },
  );

  return router;
}
