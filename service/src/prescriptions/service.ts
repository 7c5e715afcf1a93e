import type { InferAttributes, Sequelize } from 'sequelize';
import type { ConsultationService } from '../consultations/service';
import type { Metrics } from '../observability/metrics';
import { startAtZero } from '../observability/known-series';
import { countOutcome } from '../observability/outcome';
import { assertRole, type Actor } from '../platform/actor';
import { createConditionalTransition, type ActorCondition } from '../platform/conditional-transition';
import { patientIdOf } from '../platform/patient-of';
import { keysetClause, toPage, type Page, type PageRequest } from '../platform/keyset-page';
import { selectPlain } from '../platform/plain-rows';
import { Prescription, type PrescriptionStatus } from './model';

import type { WritePrescriptionInput } from './schemas';
import { prescriptionStates, timestampColumnOf } from './state-machine';

/** The operations counted in carewatch_prescription_operations_total (created at 0, see startAtZero). */
const PRESCRIPTION_OPERATIONS = ['write', 'cancel', 'send', 'fill'] as const;

export type PrescriptionRecord = InferAttributes<Prescription>;

export interface PrescriptionServiceDeps {
  readonly sequelize: Sequelize;
  /** For lists, which may be a moment stale: a replica when there is one (platform/read-routing). */
  readonly reader?: Sequelize;
  readonly metrics: Metrics;
  readonly consultations: ConsultationService;
}

const WRITER: ActorCondition = (actor) => `provider_id = ${actor}`;

export function createPrescriptionService({
  sequelize,
  reader = sequelize,
  metrics,
  consultations,
}: PrescriptionServiceDeps) {
  const transitions = createConditionalTransition({
    sequelize,
    model: Prescription,
    table: 'prescriptions',
    states: prescriptionStates,
    stampOf: timestampColumnOf,
    noun: 'prescription',
  });
  startAtZero(metrics.prescriptions.operations, {
    operation: PRESCRIPTION_OPERATIONS,
    result: ['ok', 'error'],
  });
  const track = <T>(operation: (typeof PRESCRIPTION_OPERATIONS)[number], work: () => Promise<T>) =>
    countOutcome(metrics.prescriptions.operations, operation, work);

  async function list(column: 'patient_id' | 'provider_id', userId: string, page: PageRequest) {
    const keyset = keysetClause(page, 'issued_at', 2);
    const rows = await selectPlain<PrescriptionRecord>(
      reader,
      Prescription,
      `SELECT * FROM prescriptions WHERE ${column} = $1 ${keyset.where} ${keyset.orderLimit}`,
      [userId, ...keyset.bind],
    );
    return toPage(rows, page.limit, (row) => ({ at: row.issuedAt, id: row.id }));
  }

  /** The writer moves a prescription along; an admin may also cancel one. */
  const move = (actor: Actor, id: string, to: PrescriptionStatus) =>
    track(to === 'cancelled' ? 'cancel' : to === 'sent' ? 'send' : 'fill', async () => {
      assertRole(actor, 'provider', ...(to === 'cancelled' ? (['admin'] as const) : []));
      const who: ActorCondition = actor.role === 'admin' ? (caller) => `${caller} IS NOT NULL` : WRITER;
      const row = await transitions.apply(actor.userId, id, {
        to,
        from: prescriptionStates.sourcesOf(to),
        who,
        visible: who,
      });
      return row.get({ plain: true });
    });

  return {
    /** Written by the provider of a consultation that is in progress or completed. */
    write: (actor: Actor, input: WritePrescriptionInput) =>
      track('write', async () => {
        const created = await sequelize.transaction(async (transaction) => {
          const { patientId, providerId } = await consultations.lockForPrescribing(
            actor,
            input.consultationId,
            transaction,
          );
          return Prescription.create(
            {
              consultationId: input.consultationId,
              patientId,
              providerId,
              medication: input.medication,
              dosage: input.dosage,
              quantity: input.quantity,
              refills: input.refills,
              sentAt: null,
              filledAt: null,
              cancelledAt: null,
            },
            { transaction },
          );
        });
        return created.get({ plain: true });
      }),

    /** A patient's own prescriptions, or the ones a provider wrote, newest first. */
    async listMine(actor: Actor, page: PageRequest): Promise<Page<PrescriptionRecord>> {
      assertRole(actor, 'patient', 'provider');
      return list(actor.role === 'patient' ? 'patient_id' : 'provider_id', actor.userId, page);
    },

    /** Whose prescription this is, for the audit trail of a refused request (see platform/patient-of). */
    patientOf: (id: string) => patientIdOf(sequelize, 'prescriptions', id),

    send: (actor: Actor, id: string) => move(actor, id, 'sent'),
    markFilled: (actor: Actor, id: string) => move(actor, id, 'filled'),
    cancel: (actor: Actor, id: string) => move(actor, id, 'cancelled'),
  };
}

export type PrescriptionService = ReturnType<typeof createPrescriptionService>;
