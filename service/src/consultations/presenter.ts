import type { z } from 'zod';
import { isoOrNull } from '../platform/plain-rows';
import type { ConsultationResponse, ConsultationSummaryResponse, QueueEntryResponse } from './schemas';
import type { ConsultationSummary, QueueEntry } from './list-rows';
import type { ConsultationRecord } from './service';

/** A list row: status and timestamps, never the reason or the notes. */
export function presentConsultationSummary(
  row: ConsultationSummary,
): z.input<typeof ConsultationSummaryResponse> {
  return {
    id: row.id,
    patientId: row.patientId,
    providerId: row.providerId,
    specialty: row.specialty,
    status: row.status,
    requestedAt: row.requestedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    acceptedAt: isoOrNull(row.acceptedAt),
    startedAt: isoOrNull(row.startedAt),
    endedAt: isoOrNull(row.endedAt),
    outcome: row.outcome,
  };
}

/**
 * One consultation for the people in it (the service only returns it to its patient or its assigned
 * provider): the reason and the clinical notes, which the patient has a right to read.
 */
export function presentConsultation(row: ConsultationRecord): z.input<typeof ConsultationResponse> {
  return {
    ...presentConsultationSummary(row),
    reason: row.reason,
    notes: row.notes,
    cancelledBy: row.cancelledBy,
    version: row.version,
  };
}

/** What a provider's queue shows before accepting: what waits and since when, not who or why. */
export function presentQueueEntry(row: QueueEntry): z.input<typeof QueueEntryResponse> {
  return {
    id: row.id,
    specialty: row.specialty,
    requestedAt: row.requestedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  };
}
