import { z } from 'zod';
import { PageQuery } from '../platform/keyset-page';
import { SPECIALTIES } from '../providers/model';
import { CONSULTATION_STATUSES, OUTCOMES } from './model';

export const ConsultationParams = z.strictObject({ id: z.uuid() });

export const RequestConsultationBody = z.strictObject({
  specialty: z.enum(SPECIALTIES),
  reason: z.string().trim().min(1).max(2000),
});
export type RequestConsultationInput = z.infer<typeof RequestConsultationBody>;

export const CompleteConsultationBody = z.strictObject({
  outcome: z.enum(OUTCOMES),
  notes: z.string().trim().min(1).max(20_000),
});
export type CompleteConsultationInput = z.infer<typeof CompleteConsultationBody>;

export const ConsultationListQuery = PageQuery;

/** A provider's own consultations: a page, of one status if asked. */
export const AssignedConsultationListQuery = PageQuery.extend({
  status: z.enum(CONSULTATION_STATUSES).optional(),
});
export type AssignedConsultationListRequest = z.infer<typeof AssignedConsultationListQuery>;

const timestamp = z.iso.datetime();
const nullableTimestamp = timestamp.nullable();

/** What a list shows: no free text, so lists never carry the reason or the notes. */
export const ConsultationSummaryResponse = z.strictObject({
  id: z.uuid(),
  patientId: z.uuid(),
  providerId: z.uuid().nullable(),
  specialty: z.enum(SPECIALTIES),
  status: z.enum(CONSULTATION_STATUSES),
  requestedAt: timestamp,
  expiresAt: timestamp,
  acceptedAt: nullableTimestamp,
  startedAt: nullableTimestamp,
  endedAt: nullableTimestamp,
  outcome: z.enum(OUTCOMES).nullable(),
});

export const ConsultationResponse = ConsultationSummaryResponse.extend({
  reason: z.string().max(2000).nullable(),
  notes: z.string().max(20_000).nullable(),
  cancelledBy: z.enum(['patient', 'provider', 'admin']).nullable(),
  version: z.number().int(),
});

/** A queue entry tells a provider what is waiting, not who or why: that comes with accepting it. */
export const QueueEntryResponse = ConsultationSummaryResponse.pick({
  id: true,
  specialty: true,
  requestedAt: true,
  expiresAt: true,
});
