import type { Context } from 'koa';
import type { z } from 'zod';
import { sendRecord } from '../audit/subject';
import { authOf } from '../auth/context';
import { requireAal2, requireRole } from '../auth/guards';
import type { Role } from '../auth/model';
import type { Actor } from '../platform/actor';
import { NoBody } from '../platform/validate';
import { defineRoute, mountRoutes, type Route } from '../routing/route';
import { presentConsultation } from './presenter';
import {
  CompleteConsultationBody,
  ConsultationParams,
  ConsultationResponse,
  RequestConsultationBody,
} from './schemas';
import type { ConsultationRecord, ConsultationService } from './service';

const tags = ['consultations'];
const RESOURCE = 'Consultation';
const theConsultation = { 200: { description: 'The consultation', schema: ConsultationResponse } };

export interface ConsultationRouteDeps {
  readonly consultations: ConsultationService;
}

type Transition<B> = (actor: Actor, id: string, body: B) => Promise<ConsultationRecord>;

/**
 * The consultation lifecycle over HTTP: patients request, read and cancel their own; providers (at aal2)
 * accept requests of their specialty and move the ones assigned to them along. Every route is PHI and
 * audited against the consultation's patient, refusals included.
 */
export function consultationRoutes({ consultations }: ConsultationRouteDeps) {
  const send = (ctx: Context, row: ConsultationRecord, status = 200) =>
    sendRecord(ctx, row, presentConsultation(row), status);
  const refusedConsultation = ({ params }: { params: { id: string } }) => consultations.patientOf(params.id);

  /** A status change: `POST /consultations/:id/<path>`, answering the changed row, 404 or 409. */
  const transition = <B extends z.ZodType>(
    path: string,
    summary: string,
    roles: Role[],
    run: Transition<z.infer<B>>,
    body: B,
  ): Route =>
    defineRoute({
      method: 'post',
      path: `/consultations/:id/${path}`,
      summary,
      tags,
      guards: [requireRole(...roles), requireAal2()],
      audit: { action: 'update', resourceType: RESOURCE, refusal: refusedConsultation },
      input: { params: ConsultationParams, body },
      responses: theConsultation,
      problems: [404, 409],
      handler: async (ctx, input) =>
        send(ctx, await run(authOf(ctx), input.params.id, input.body as z.infer<B>)),
    });

  return mountRoutes([
    defineRoute({
      method: 'post',
      path: '/consultations',
      summary: 'Request a consultation',
      tags,
      guards: [requireRole('patient')],
      audit: {
        action: 'create',
        resourceType: RESOURCE,
        refusal: (_input, ctx) => Promise.resolve(authOf(ctx).userId),
      },
      input: { body: RequestConsultationBody },
      responses: { 201: { description: 'Requested', schema: ConsultationResponse } },
      problems: [409],
      handler: async (ctx, { body }) => {
        const row = await consultations.request(authOf(ctx), body);
        ctx.set('Location', `/v1/consultations/${row.id}`);
        send(ctx, row, 201);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/consultations/:id',
      summary: 'Read a consultation',
      tags,
      guards: [requireRole('patient', 'provider'), requireAal2()],
      audit: { action: 'read', resourceType: RESOURCE, refusal: refusedConsultation },
      input: { params: ConsultationParams },
      responses: theConsultation,
      problems: [404],
      handler: async (ctx, { params }) => send(ctx, await consultations.get(authOf(ctx), params.id)),
    }),
    transition(
      'accept',
      'Accept a request (the first provider wins)',
      ['provider'],
      consultations.accept,
      NoBody,
    ),
    transition('start', 'Start an accepted consultation', ['provider'], consultations.start, NoBody),
    transition(
      'complete',
      'Complete a consultation with notes and outcome',
      ['provider'],
      consultations.complete,
      CompleteConsultationBody,
    ),
    transition(
      'no-show',
      'Record that the patient did not join',
      ['provider'],
      consultations.markNoShow,
      NoBody,
    ),
    transition(
      'cancel',
      'Cancel a consultation',
      ['patient', 'provider', 'admin'],
      consultations.cancel,
      NoBody,
    ),
  ]);
}
