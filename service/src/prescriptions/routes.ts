import Router from '@koa/router';
import type { Context } from 'koa';
import { auditedRecord, sendRecord, subjectOfRefusal } from '../audit/subject';
import { authOf } from '../auth/context';
import { requireAal2, requireRole, requireStepUp } from '../auth/guards';
import type { Role } from '../auth/model';
import type { ConsultationService } from '../consultations/service';
import type { Actor } from '../platform/actor';
import { presentPage } from '../platform/keyset-page';
import { bodyOf, NoBody, paramsOf, queryOf, validate } from '../platform/validate';
import { presentPrescription } from './presenter';
import { PrescriptionListQuery, PrescriptionParams, WritePrescriptionBody } from './schemas';
import type { PrescriptionRecord, PrescriptionService } from './service';

const RESOURCE = 'Prescription';

export interface PrescriptionRouteDeps {
  readonly prescriptions: PrescriptionService;
  /** To name the patient of a refused write: the consultation it was for. */
  readonly consultations: Pick<ConsultationService, 'patientOf'>;
}

type Step = (actor: Actor, id: string) => Promise<PrescriptionRecord>;

/**
 * Prescriptions over HTTP: written by the provider of an in-progress or completed consultation after a
 * recent step-up, listed by their patient or their writer, and moved along (sent, filled, cancelled).
 */
export function prescriptionRoutes({ prescriptions, consultations }: PrescriptionRouteDeps): Router {
  const router = new Router();
  const send = (ctx: Context, row: PrescriptionRecord, status = 200) =>
    sendRecord(ctx, row, presentPrescription(row), status);

  router.post(
    '/prescriptions',
    requireRole('provider'),
    requireAal2(),
    requireStepUp(),
    auditedRecord('create', RESOURCE),
    validate({ body: WritePrescriptionBody }),
    subjectOfRefusal((ctx) => consultations.patientOf(bodyOf(ctx, WritePrescriptionBody).consultationId)),
    async (ctx) => send(ctx, await prescriptions.write(authOf(ctx), bodyOf(ctx, WritePrescriptionBody)), 201),
  );

  router.get(
    '/prescriptions',
    requireRole('patient', 'provider'),
    requireAal2(),
    auditedRecord('list', RESOURCE),
    validate({ query: PrescriptionListQuery }),
    async (ctx) => {
      const actor = authOf(ctx);
      const page = await prescriptions.listMine(actor, queryOf(ctx, PrescriptionListQuery));
      // A patient's list is about them even when empty; a provider's is about the patients it shows
      // (the audit recorder removes repeated ids).
      ctx.state.auditPatientIds =
        actor.role === 'patient' ? [actor.userId] : page.items.map((row) => row.patientId);
      ctx.body = presentPage(page, presentPrescription);
    },
  );

  const idOf = (ctx: Context) => paramsOf(ctx, PrescriptionParams).id;
  const step = (path: string, roles: Role[], run: Step) =>
    router.post(
      `/prescriptions/:id/${path}`,
      requireRole(...roles),
      requireAal2(),
      auditedRecord('update', RESOURCE),
      validate({ params: PrescriptionParams, body: NoBody }),
      subjectOfRefusal((ctx) => prescriptions.patientOf(idOf(ctx))),
      async (ctx) => send(ctx, await run(authOf(ctx), idOf(ctx))),
    );
  step('send', ['provider'], prescriptions.send);
  step('fill', ['provider'], prescriptions.markFilled);
  step('cancel', ['provider', 'admin'], prescriptions.cancel);

  return router;
}
