import Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import { auditedRecord, sendRecord, subjectOfRefusal } from '../audit/subject';
import { authOf } from '../auth/context';
import { requireAal2, requireRole } from '../auth/guards';
import type { Role } from '../auth/model';
import type { Actor } from '../platform/actor';
import { bodyOf, NoBody, paramsOf, validate } from '../platform/validate';
import { presentConsultation } from './presenter';
import { CompleteConsultationBody, ConsultationParams, RequestConsultationBody } from './schemas';
import type { ConsultationRecord, ConsultationService } from './service';

const RESOURCE = 'Consultation';

export interface ConsultationRouteDeps {
  readonly consultations: ConsultationService;
}

type Step = (actor: Actor, id: string, ctx: Context) => Promise<ConsultationRecord>;

/**
 * The consultation lifecycle over HTTP: patients request, read and cancel their own; providers (at aal2)
 * accept requests of their specialty and move the ones assigned to them along. Every route is PHI and
 * audited against the consultation's patient, refusals included.
 */
export function consultationRoutes({ consultations }: ConsultationRouteDeps): Router {
  const router = new Router();
  const send = (ctx: Context, row: ConsultationRecord, status = 200) =>
    sendRecord(ctx, row, presentConsultation(row), status);
  const idOf = (ctx: Context) => paramsOf(ctx, ConsultationParams).id;
  const refusedConsultation = subjectOfRefusal((ctx) => consultations.patientOf(idOf(ctx)));

  router.post(
    '/consultations',
    requireRole('patient'),
    auditedRecord('create', RESOURCE),
    validate({ body: RequestConsultationBody }),
    subjectOfRefusal((ctx) => Promise.resolve(authOf(ctx).userId)),
    async (ctx) => {
      const row = await consultations.request(authOf(ctx), bodyOf(ctx, RequestConsultationBody));
      ctx.set('Location', `/v1/consultations/${row.id}`);
      send(ctx, row, 201);
    },
  );

  router.get(
    '/consultations/:id',
    requireRole('patient', 'provider'),
    requireAal2(),
    auditedRecord('read', RESOURCE),
    validate({ params: ConsultationParams }),
    refusedConsultation,
    async (ctx) => send(ctx, await consultations.get(authOf(ctx), idOf(ctx))),
  );

  const step = (path: string, roles: Role[], run: Step, body: z.ZodType = NoBody) =>
    router.post(
      `/consultations/:id/${path}`,
      requireRole(...roles),
      requireAal2(),
      auditedRecord('update', RESOURCE),
      validate({ params: ConsultationParams, body }),
      refusedConsultation,
      async (ctx) => send(ctx, await run(authOf(ctx), idOf(ctx), ctx)),
    );
  step('accept', ['provider'], consultations.accept);
  step('start', ['provider'], consultations.start);
  step(
    'complete',
    ['provider'],
    (actor, id, ctx) => consultations.complete(actor, id, bodyOf(ctx, CompleteConsultationBody)),
    CompleteConsultationBody,
  );
  step('no-show', ['provider'], consultations.markNoShow);
  step('cancel', ['patient', 'provider', 'admin'], consultations.cancel);

  return router;
}
