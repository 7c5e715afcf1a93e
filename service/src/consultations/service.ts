import { QueryTypes, type InferAttributes, type Sequelize, type Transaction } from 'sequelize';
import type { Config } from '../config';
import type { Metrics } from '../observability/metrics';
import { startAtZero } from '../observability/known-series';
import { countOutcome } from '../observability/outcome';
import { assertRole, type Actor } from '../platform/actor';
import {
  ACTOR,
  createConditionalTransition,
  type ActorCondition,
  type StatusChange,
} from '../platform/conditional-transition';
import { createDirectQuery, directQueryOptions, type DirectQuery } from '../platform/direct-query';
import { conflict, notFound } from '../platform/errors';
import { patientIdOf } from '../platform/patient-of';
import { keysetClause, toPage, type Page, type PageRequest } from '../platform/keyset-page';
import { storedValueOf } from '../platform/stored-value';
import { SPECIALTIES } from '../providers/model';
import { CONSULTATION_STATUSES, Consultation, type ConsultationStatus } from './model';
import { caresFor } from './care-relationship';
import { QUEUE_ENTRY, SUMMARY, type ListShape, type QueueEntry } from './list-rows';
import type { CompleteConsultationInput, RequestConsultationInput } from './schemas';
import { CANCELLABLE_BY, consultationStates, timestampColumnOf } from './state-machine';

export type ConsultationRecord = InferAttributes<Consultation>;
export interface ConsultationServiceDeps {
  readonly sequelize: Sequelize;
  /**
   * For lists, which may be a moment stale: a replica when there is one (platform/read-routing), straight
   * through node-postgres (Sequelize's mapping of raw rows cost more than the statement on a list path).
   * The primary's by default.
   */
  readonly readQuery?: DirectQuery;
  readonly metrics: Metrics;
  readonly config: Config;
}

const providerSpecialty = (actor: string) => `(SELECT specialty FROM providers WHERE user_id = ${actor})`;
const ASSIGNED: ActorCondition = (actor) => `provider_id = ${actor}`;
type Move = StatusChange<Consultation>;

/** The operations counted in carewatch_consultation_operations_total (created at 0, see startAtZero). */
const CONSULTATION_OPERATIONS = ['request', 'accept', 'start', 'complete', 'no_show', 'cancel'] as const;

const secondsBetween = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 1000;

export function createConsultationService({
  sequelize,
  metrics,
  config,
  readQuery = createDirectQuery(sequelize, metrics, directQueryOptions(config.database.pooler)),
}: ConsultationServiceDeps) {
  const { consultations: measures } = metrics;
  startAtZero(measures.transitions, { to_status: CONSULTATION_STATUSES, specialty: SPECIALTIES });
  startAtZero(measures.operations, { operation: CONSULTATION_OPERATIONS, result: ['ok', 'error'] });

  const transitions = createConditionalTransition({
    sequelize,
    model: Consultation,
    table: 'consultations',
    states: consultationStates,
    stampOf: timestampColumnOf,
    noun: 'consultation',
  });
  const { select } = transitions;
  const record = (row: Consultation): ConsultationRecord => row.get({ plain: true });

  async function apply(actor: Actor, id: string, move: Move): Promise<ConsultationRecord> {
    const row = await transitions.apply(actor.userId, id, move);
    measures.transitions.inc({ to_status: move.to, specialty: row.specialty });
    return record(row);
  }

  const track = <T>(operation: (typeof CONSULTATION_OPERATIONS)[number], work: () => Promise<T>) =>
    countOutcome(measures.operations, operation, work);

  /** A page of the rows matching every condition (bound from $1), ordered by (requested_at, id). */
  async function pageByRequestedAt<T extends { readonly requestedAt: Date; readonly id: string }>(
    { columns, rowOf }: ListShape<T>,
    conditions: readonly string[],
    bind: readonly unknown[],
    page: PageRequest,
    order: 'ASC' | 'DESC' = 'DESC',
  ): Promise<Page<T>> {
    const keyset = keysetClause(page, 'requested_at', bind.length + 1, order);
    const rows = await readQuery(
      'select',
      `SELECT ${columns} FROM consultations WHERE ${conditions.join(' AND ')} ${keyset.where}
        ${keyset.orderLimit}`,
      [...bind, ...keyset.bind],
    );
    return toPage(rows.map(rowOf), page.limit, (row) => ({ at: row.requestedAt, id: row.id }));
  }

  return {
    /** A patient asks for a consultation; at most `maxOpenRequests` may wait at once. */
    request: (actor: Actor, input: RequestConsultationInput) =>
      track('request', async () => {
        assertRole(actor, 'patient');
        const row = await sequelize.transaction(async (transaction) => {
          // Serializes one patient's requests so two concurrent ones cannot both pass the count.
          await sequelize.query('SELECT pg_advisory_xact_lock(hashtext($1))', {
            bind: [`consultation-request:${actor.userId}`],
            transaction,
          });
          const [open] = await sequelize.query<{ count: number }>(
            `SELECT count(*)::int AS count FROM consultations WHERE patient_id = $1 AND status = 'requested'`,
            { bind: [actor.userId], type: QueryTypes.SELECT, transaction },
          );
          if ((open?.count ?? 0) >= config.consultations.maxOpenRequests) {
            throw conflict('Too many consultation requests are already waiting.', 'too_many_open_requests');
          }
          const [created] = await select(
            `INSERT INTO consultations (patient_id, specialty, reason, requested_at, expires_at, created_at, updated_at)
             VALUES ($1, $2, $3, now(), now() + make_interval(secs => $4), now(), now())
             RETURNING *`,
            [
              actor.userId,
              input.specialty,
              storedValueOf(Consultation, 'reason', input.reason),
              config.consultations.requestTtlSeconds,
            ],
            transaction,
          );
          return created!;
        });
        measures.transitions.inc({ to_status: 'requested', specialty: row.specialty });
        return record(row);
      }),

    /** The first provider of the right specialty to accept gets it; every later one gets 409. */
    accept: (actor: Actor, id: string) =>
      track('accept', async () => {
        assertRole(actor, 'provider');
        const accepted = await apply(actor, id, {
          to: 'accepted',
          from: consultationStates.sourcesOf('accepted'),
          who: (actor) =>
            `provider_id IS NULL AND expires_at > now() AND specialty = ${providerSpecialty(actor)}`,
          visible: (actor) => `${ASSIGNED(actor)} OR specialty = ${providerSpecialty(actor)}`,
          assign: { providerId: ACTOR },
          refusedOtherwise: () => conflict('The request has expired.', 'request_expired'),
        });
        measures.timeToAcceptance.observe(
          { specialty: accepted.specialty },
          secondsBetween(accepted.requestedAt, accepted.acceptedAt!),
        );
        return accepted;
      }),

    start: (actor: Actor, id: string) =>
      track('start', async () => {
        assertRole(actor, 'provider');
        const started = await apply(actor, id, assigned('in_progress'));
        measures.providerResponse.observe(
          { specialty: started.specialty },
          secondsBetween(started.acceptedAt!, started.startedAt!),
        );
        return started;
      }),

    complete: (actor: Actor, id: string, input: CompleteConsultationInput) =>
      track('complete', async () => {
        assertRole(actor, 'provider');
        return apply(actor, id, {
          ...assigned('completed'),
          assign: { outcome: input.outcome, notes: input.notes },
        });
      }),

    markNoShow: (actor: Actor, id: string) =>
      track('no_show', async () => {
        assertRole(actor, 'provider');
        return apply(actor, id, assigned('no_show'));
      }),

    cancel: (actor: Actor, id: string) =>
      track('cancel', async () => {
        assertRole(actor, 'patient', 'provider', 'admin');
        const whose = (
          {
            patient: (caller) => `patient_id = ${caller}`,
            provider: ASSIGNED,
            admin: (caller) => `${caller} IS NOT NULL`,
          } satisfies Record<typeof actor.role, ActorCondition>
        )[actor.role];
        return apply(actor, id, {
          to: 'cancelled',
          from: CANCELLABLE_BY[actor.role],
          who: whose,
          visible: whose,
          assign: { cancelledBy: actor.role },
        });
      }),

    /** The full record, for its patient or its assigned provider; anyone else learns nothing (404). */
    async get(actor: Actor, id: string): Promise<ConsultationRecord> {
      // Admins reach clinical records only through break-glass access, which is audited on its own.
      if (actor.role === 'admin') throw notFound('No such consultation.');
      assertRole(actor, 'patient', 'provider');
      const whose = actor.role === 'patient' ? 'patient_id = $2' : 'provider_id = $2';
      const [row] = await select(`SELECT * FROM consultations WHERE id = $1 AND ${whose}`, [
        id,
        actor.userId,
      ]);
      if (!row) throw notFound('No such consultation.');
      return record(row);
    },

    /** A patient's consultations, newest first. The caller decides whose: patients ask for their own. */
    listForPatient: (patientId: string, page: PageRequest) =>
      pageByRequestedAt(SUMMARY, ['patient_id = $1'], [patientId], page),

    /**
     * The consultations assigned to a provider (their work), newest first, optionally of one status. The
     * caller decides whose: providers ask for their own. Unassigned requests are in `queueFor` instead.
     */
    listForProvider: (providerId: string, page: PageRequest, status?: ConsultationStatus) =>
      status
        ? pageByRequestedAt(SUMMARY, ['provider_id = $1', 'status = $2'], [providerId, status], page)
        : pageByRequestedAt(SUMMARY, ['provider_id = $1'], [providerId], page),

    /** Requests waiting in the provider's specialty, oldest first. */
    async queueFor(actor: Actor, page: PageRequest): Promise<Page<QueueEntry>> {
      assertRole(actor, 'provider');
      return pageByRequestedAt(
        QUEUE_ENTRY,
        [
          "status = 'requested'",
          'expires_at > now()',
          'specialty = (SELECT specialty FROM providers WHERE user_id = $1)',
        ],
        [actor.userId],
        page,
        'ASC',
      );
    },

    /** Whose consultation this is, for the audit trail of a refused request (see platform/patient-of). */
    patientOf: (id: string) => patientIdOf(sequelize, 'consultations', id),

    /** Whether the provider cares for the patient (see care-relationship.ts). */
    async providerCanSeePatient(providerId: string, patientId: string): Promise<boolean> {
      const rows = await sequelize.query(`SELECT 1 WHERE ${caresFor('$1', '$2')}`, {
        bind: [providerId, patientId],
        type: QueryTypes.SELECT,
      });
      return rows.length > 0;
    },

    /**
     * For writing a prescription: the consultation must be the provider's and in progress or completed.
     * Locks it (FOR SHARE) so it cannot be cancelled while the prescription is written.
     */
    async lockForPrescribing(actor: Actor, id: string, transaction: Transaction) {
      assertRole(actor, 'provider');
      const [row] = await select(
        'SELECT * FROM consultations WHERE id = $1 AND provider_id = $2 FOR SHARE',
        [id, actor.userId],
        transaction,
      );
      if (!row) throw notFound('No such consultation.');
      if (row.status !== 'in_progress' && row.status !== 'completed') {
        throw conflict(`A ${row.status} consultation cannot be prescribed for.`, 'invalid_transition');
      }
      return { patientId: row.patientId, providerId: actor.userId };
    },
  };
}

/** A step a provider takes on a consultation assigned to them. */
function assigned(to: ConsultationStatus): Move {
  return { to, from: consultationStates.sourcesOf(to), who: ASSIGNED, visible: ASSIGNED };
}

export type ConsultationService = ReturnType<typeof createConsultationService>;
