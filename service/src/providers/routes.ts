import Router from '@koa/router';
import { audited, patientIdsFromState } from '../audit/middleware';
import { authOf } from '../auth/context';
import { requireAal2, requireRole } from '../auth/guards';
import type { ClinicalServices } from '../clinical-services';
import { presentQueueEntry } from '../consultations/presenter';
import { ConsultationListQuery } from '../consultations/schemas';
import { expectedVersion, sendVersioned } from '../platform/conditional-request';
import { presentPage } from '../platform/keyset-page';
import { inputOf, validate } from '../platform/validate';
import { presentProviderProfile } from './presenter';
import { SetAvailabilityBody, UpdateProviderProfileBody } from './schemas';

const updateProfile = { body: UpdateProviderProfileBody };
const setAvailability = { body: SetAvailabilityBody };
const queuePage = { query: ConsultationListQuery };

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

  router.patch('/me', ...provider, validate(updateProfile), async (ctx) => {
    const version = expectedVersion(ctx);
    const { body } = inputOf(ctx, updateProfile);
    sendVersioned(ctx, presentProviderProfile(await providers.updateOwnProfile(authOf(ctx), version, body)));
  });

  router.put('/me/availability', ...provider, validate(setAvailability), async (ctx) => {
    const { availability } = inputOf(ctx, setAvailability).body;
    sendVersioned(ctx, presentProviderProfile(await providers.setAvailability(authOf(ctx), availability)));
  });

  // The entries show no patient, but each is a patient's request: the audit names every one returned.
  router.get(
    '/me/queue',
    ...provider,
    audited({ action: 'list', resourceType: 'Consultation', patientIds: patientIdsFromState }),
    validate(queuePage),
    async (ctx) => {
      const page = await providers.queue(authOf(ctx), inputOf(ctx, queuePage).query);
      ctx.state.auditPatientIds = page.items.map((row) => row.patientId);
      ctx.body = presentPage(page, presentQueueEntry);
    },
  );

  return router;
}
