import type { InferAttributes } from 'sequelize';
import type { Cells } from '../platform/direct-query';
import type { Consultation } from './model';

/*
 * The rows of the consultation lists, built from node-postgres's arrays of values (the lists read
 * through the direct query): each list selects only the columns its presenter and the audit need.
 */

/** A list row: status and timestamps, never the free text, which lists never carry (and never decrypt). */
export type ConsultationSummary = Pick<
  InferAttributes<Consultation>,
  | 'id'
  | 'patientId'
  | 'providerId'
  | 'specialty'
  | 'status'
  | 'requestedAt'
  | 'expiresAt'
  | 'acceptedAt'
  | 'startedAt'
  | 'endedAt'
  | 'outcome'
>;
/** A row of a provider's queue: what waits, since when and until when, and whose it is (for the audit). */
export type QueueEntry = Pick<
  InferAttributes<Consultation>,
  'id' | 'patientId' | 'specialty' | 'requestedAt' | 'expiresAt'
>;

/** The columns of a list and the row they make, in the order of the select list. */
export interface ListShape<T> {
  readonly columns: string;
  readonly rowOf: (cells: Cells) => T;
}

type Summary = ConsultationSummary;
/** A row of SUMMARY's columns. */
type SummaryCells = readonly [
  id: Summary['id'],
  patientId: Summary['patientId'],
  providerId: Summary['providerId'],
  specialty: Summary['specialty'],
  status: Summary['status'],
  requestedAt: Summary['requestedAt'],
  expiresAt: Summary['expiresAt'],
  acceptedAt: Summary['acceptedAt'],
  startedAt: Summary['startedAt'],
  endedAt: Summary['endedAt'],
  outcome: Summary['outcome'],
];

export const SUMMARY: ListShape<Summary> = {
  columns: `id, patient_id, provider_id, specialty, status, requested_at, expires_at, accepted_at, started_at,
    ended_at, outcome`,
  rowOf: (cells) => {
    const [
      id,
      patientId,
      providerId,
      specialty,
      status,
      requestedAt,
      expiresAt,
      acceptedAt,
      startedAt,
      endedAt,
      outcome,
    ] = cells as SummaryCells;
    return {
      id,
      patientId,
      providerId,
      specialty,
      status,
      requestedAt,
      expiresAt,
      acceptedAt,
      startedAt,
      endedAt,
      outcome,
    };
  },
};

export const QUEUE_ENTRY: ListShape<QueueEntry> = {
  columns: 'id, patient_id, specialty, requested_at, expires_at',
  rowOf: (cells) => {
    const [id, patientId, specialty, requestedAt, expiresAt] = cells as readonly [
      QueueEntry['id'],
      QueueEntry['patientId'],
      QueueEntry['specialty'],
      QueueEntry['requestedAt'],
      QueueEntry['expiresAt'],
    ];
    return { id, patientId, specialty, requestedAt, expiresAt };
  },
};
