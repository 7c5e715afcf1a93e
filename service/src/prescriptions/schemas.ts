import { z } from 'zod';
import { PageQuery } from '../platform/keyset-page';
import { PRESCRIPTION_STATUSES } from './model';

export const PrescriptionParams = z.strictObject({ id: z.uuid() });

export const WritePrescriptionBody = z.strictObject({
  consultationId: z.uuid(),
  medication: z.string().trim().min(1).max(200),
  dosage: z.string().trim().min(1).max(200),
  quantity: z.number().int().min(1).max(1000),
  refills: z.number().int().min(0).max(12).default(0),
});
export type WritePrescriptionInput = z.infer<typeof WritePrescriptionBody>;

export const PrescriptionListQuery = PageQuery;

const nullableTimestamp = z.iso.datetime().nullable();

export const PrescriptionResponse = z.strictObject({
  id: z.uuid(),
  consultationId: z.uuid(),
  patientId: z.uuid(),
  providerId: z.uuid(),
  medication: z.string().max(200),
  dosage: z.string().max(200),
  quantity: z.number().int(),
  refills: z.number().int(),
  status: z.enum(PRESCRIPTION_STATUSES),
  issuedAt: z.iso.datetime(),
  sentAt: nullableTimestamp,
  filledAt: nullableTimestamp,
  cancelledAt: nullableTimestamp,
  version: z.number().int(),
});
