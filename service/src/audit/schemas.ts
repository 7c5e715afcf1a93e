import { z } from 'zod';
import { PageQuery, pageResponse } from '../platform/keyset-page';
import { isTimeZone } from '../platform/time-zone';
import { AUDIT_ACTIONS } from './model';

const timeRange = {
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
};

export const AuditEventsQuery = z.object({
  patientId: z.uuid().optional(),
  userId: z.uuid().optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  ...timeRange,
  cursor: z
    .string()
    .max(19)
    .regex(/^\d{1,19}$/, 'a cursor returned by a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AuditEventsQuery = z.infer<typeof AuditEventsQuery>;

export const AuditExportQuery = AuditEventsQuery.omit({ cursor: true, limit: true }).extend({
  format: z.enum(['ndjson', 'csv']).default('ndjson'),
});

const requiredRange = { from: z.coerce.date(), to: z.coerce.date() };

export const AfterHoursQuery = z.object({
  ...requiredRange,
  startHour: z.coerce.number().int().min(0).max(23).default(7),
  endHour: z.coerce.number().int().min(1).max(24).default(19),
  timeZone: z
    .string()
    .max(64)
    .refine(isTimeZone, 'an IANA time zone such as America/New_York')
    .default('UTC'),
});

export const HighVolumeQuery = z.object({
  ...requiredRange,
  windowMinutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
  threshold: z.coerce.number().int().min(1).max(1_000_000).default(50),
});

export const BreakGlassQuery = z.object(requiredRange);

/** The kept reasons of break-glass accesses, newest first, paged like the other lists (keyset cursor). */
export const BreakGlassReasonsQuery = PageQuery.extend({
  patientId: z.uuid().optional(),
  userId: z.uuid().optional(),
  ...timeRange,
});
export type BreakGlassReasonsQuery = z.infer<typeof BreakGlassReasonsQuery>;

export const BreakGlassReasonsResponse = pageResponse(
  z.strictObject({
    id: z.uuid().describe('The `breakGlassId` in the details of the audit event of the access'),
    occurredAt: z.iso.datetime(),
    actorUserId: z.uuid(),
    patientId: z.uuid(),
    requestId: z.string().max(128).nullable(),
    reason: z.string().max(500),
  }),
);
