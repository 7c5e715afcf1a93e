import type { Context } from 'koa';
import { noteAuditSubject } from '../audit/subject';
import { authOf } from '../auth/context';
import { requireAal2, requireRole } from '../auth/guards';
import type { ClinicalServices } from '../clinical-services';
import { presentConsultationSummary, presentQueueEntry } from '../consultations/presenter';
import {
  AssignedConsultationListQuery,
  ConsultationListQuery,
  ConsultationSummaryResponse,
  QueueEntryResponse,
} from '../consultations/schemas';
import { sendVersioned } from '../platform/conditional-request';
import { pageResponse, presentPage, type Page } from '../platform/keyset-page';
import { ownProfileRoutes } from '../routing/own-profile';
import { defineRoute, mountRoutes } from '../routing/route';
import { presentProviderProfile } from './presenter';
import { ProviderProfileResponse, SetAvailabilityBody, UpdateProviderProfileBody } from './schemas';

const tags = ['providers'];
const myProfile = { 200: { description: 'My profile', schema: ProviderProfileResponse, etag: true } };
// Every row of a consultation list is a patient's: the audit names each patient whose row is returned.
const consultationList = { action: 'list', resourceType: 'Consultation' } as const;
const sendPage = <T extends { readonly patientId: string }, R>(
  ctx: Context,
  page: Page<T>,
  present: (row: T) => R,
) => {
  noteAuditSubject(ctx, { patientIds: page.items.map((row) => row.patientId) });
  ctx.body = presentPage(page, present);
};

/**
 * A provider's own profile, availability, queue and assigned consultations. Every route wants the
 * provider at aal2: staff act with a second factor, and a provider who has not enrolled one yet has
 * nothing to do here before that.
 */
export function providerRoutes({ providers }: Pick<ClinicalServices, 'providers'>) {
  const provider = [requireRole('provider'), requireAal2()];
  return mountRoutes([
    ...ownProfileRoutes({
      path: '/providers/me',
      noun: 'provider profile',
      tags,
      guards: provider,
      body: UpdateProviderProfileBody,
      response: ProviderProfileResponse,
      service: providers,
      present: presentProviderProfile,
    }),
    defineRoute({
      method: 'put',
      path: '/providers/me/availability',
      summary: 'Set my availability',
      tags,
      guards: provider,
      input: { body: SetAvailabilityBody },
      responses: myProfile,
      handler: async (ctx, { body }) => {
        sendVersioned(
          ctx,
          presentProviderProfile(await providers.setAvailability(authOf(ctx), body.availability)),
        );
      },
    }),
    // The entries show no patient, but each is a patient's request.
    defineRoute({
      method: 'get',
      path: '/providers/me/queue',
      summary: 'Requests waiting in my specialty',
      tags,
      guards: provider,
      audit: consultationList,
      input: { query: ConsultationListQuery },
      responses: { 200: { description: 'A page', schema: pageResponse(QueueEntryResponse) } },
      handler: async (ctx, { query }) => {
        sendPage(ctx, await providers.queue(authOf(ctx), query), presentQueueEntry);
      },
    }),
    // The provider's work: what is assigned to them, whatever its status, for the client to find it again.
    defineRoute({
      method: 'get',
      path: '/providers/me/consultations',
      summary: 'List the consultations assigned to me, newest first (optionally of one status)',
      tags,
      guards: provider,
      audit: consultationList,
      input: { query: AssignedConsultationListQuery },
      responses: { 200: { description: 'A page', schema: pageResponse(ConsultationSummaryResponse) } },
      handler: async (ctx, { query }) => {
        sendPage(ctx, await providers.listOwnConsultations(authOf(ctx), query), presentConsultationSummary);
      },
    }),
  ]);
}
