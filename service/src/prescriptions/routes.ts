import type { Context } from 'koa';
import { noteAuditSubject, sendRecord } from '../audit/subject';
import { authOf } from '../auth/context';
import { requireAal2, requireRole, requireStepUp } from '../auth/guards';
import type { Role } from '../auth/model';
import type { ConsultationService } from '../consultations/service';
import type { Actor } from '../platform/actor';
import { pageResponse, presentPage } from '../platform/keyset-page';
import { NoBody } from '../platform/validate';
import { defineRoute, mountRoutes, type Route } from '../routing/route';
import { presentPrescription } from './presenter';
import {
  PrescriptionListQuery,
  PrescriptionParams,
  PrescriptionResponse,
  WritePrescriptionBody,
} from './schemas';
import type { PrescriptionRecord, PrescriptionService } from './service';

const tags = ['prescriptions'];
const RESOURCE = 'Prescription';

export interface PrescriptionRouteDeps {
  readonly prescriptions: PrescriptionService;
  /** To name the patient of a refused write: the consultation it was for. */
  readonly consultations: Pick<ConsultationService, 'patientOf'>;
}

type Transition = (actor: Actor, id: string) => Promise<PrescriptionRecord>;

/**
 * Prescriptions over HTTP: written by the provider of an in-progress or completed consultation after a
 * recent step-up, listed by their patient or their writer, and moved along (sent, filled, cancelled).
 */
export function prescriptionRoutes({ prescriptions, consultations }: PrescriptionRouteDeps) {
  const send = (ctx: Context, row: PrescriptionRecord, status = 200) =>
    sendRecord(ctx, row, presentPrescription(row), status);

  /** A status change: `POST /prescriptions/:id/<path>`, answering the changed row, 404 or 409. */
  const transition = (path: string, summary: string, roles: Role[], run: Transition): Route =>
    defineRoute({
      method: 'post',
      path: `/prescriptions/:id/${path}`,
      summary,
      tags,
      guards: [requireRole(...roles), requireAal2()],
      audit: {
        action: 'update',
        resourceType: RESOURCE,
        refusal: ({ params }) => prescriptions.patientOf(params.id),
      },
      input: { params: PrescriptionParams, body: NoBody },
      responses: { 200: { description: 'The prescription', schema: PrescriptionResponse } },
      problems: [404, 409],
      handler: async (ctx, { params }) => send(ctx, await run(authOf(ctx), params.id)),
    });

  return mountRoutes([
    defineRoute({
      method: 'post',
      path: '/prescriptions',
      summary: 'Write a prescription',
      tags,
      guards: [requireRole('provider'), requireAal2(), requireStepUp()],
      audit: {
        action: 'create',
        resourceType: RESOURCE,
        refusal: ({ body }) => consultations.patientOf(body.consultationId),
      },
      input: { body: WritePrescriptionBody },
      responses: { 201: { description: 'Written', schema: PrescriptionResponse } },
      problems: [404, 409],
      handler: async (ctx, { body }) => send(ctx, await prescriptions.write(authOf(ctx), body), 201),
    }),
    defineRoute({
      method: 'get',
      path: '/prescriptions',
      summary: 'List my prescriptions (patient) or the ones I wrote (provider)',
      tags,
      guards: [requireRole('patient', 'provider'), requireAal2()],
      audit: { action: 'list', resourceType: RESOURCE },
      input: { query: PrescriptionListQuery },
      responses: { 200: { description: 'A page', schema: pageResponse(PrescriptionResponse) } },
      handler: async (ctx, { query }) => {
        const actor = authOf(ctx);
        const page = await prescriptions.listMine(actor, query);
        // A patient's list is about them even when empty; a provider's is about the patients it shows
        // (the audit recorder removes repeated ids).
        noteAuditSubject(ctx, {
          patientIds: actor.role === 'patient' ? [actor.userId] : page.items.map((row) => row.patientId),
        });
        ctx.body = presentPage(page, presentPrescription);
      },
    }),
    transition('send', 'Send to the pharmacy', ['provider'], prescriptions.send),
    transition('fill', 'Record that it was filled', ['provider'], prescriptions.markFilled),
    transition('cancel', 'Cancel a prescription', ['provider', 'admin'], prescriptions.cancel),
  ]);
}
