import { z } from 'zod';
import { CONSULTATION_STATUSES } from '../consultations/model';
import { SPECIALTIES } from '../providers/model';

export const MAX_REPORT_DAYS = 366;
/** The provider report is cut at this many rows (one per provider who started a consultation). */
export const MAX_PROVIDER_REPORT_ROWS = 10_000;
const DAY_MS = 86_400_000;

/** A report covers whole UTC days from `from` to `to`, both included, at most 366 of them. */
export const ReportQuery = z
  .strictObject({
    from: z.iso.date(),
    to: z.iso.date(),
    specialty: z.enum(SPECIALTIES).optional(),
  })
  .refine((range) => range.to >= range.from, { message: '`to` must not be before `from`.', path: ['to'] })
  .refine((range) => (Date.parse(range.to) - Date.parse(range.from)) / DAY_MS + 1 <= MAX_REPORT_DAYS, {
    message: `A report covers at most ${MAX_REPORT_DAYS} days.`,
    path: ['to'],
  });
export type ReportRange = z.infer<typeof ReportQuery>;

export const BreakGlassBody = z.strictObject({ reason: z.string().trim().min(10).max(500) });

const seconds = z.number().nullable();

export const VolumeReportResponse = z.strictObject({
  // At most one row per day, specialty and status.
  rows: z
    .array(
      z.strictObject({
        day: z.iso.date(),
        specialty: z.enum(SPECIALTIES),
        status: z.enum(CONSULTATION_STATUSES),
        count: z.number().int(),
      }),
    )
    .max(MAX_REPORT_DAYS * SPECIALTIES.length * CONSULTATION_STATUSES.length),
});

export const SpecialtySummaryResponse = z.strictObject({
  rows: z
    .array(
      z.strictObject({
        specialty: z.enum(SPECIALTIES),
        requested: z.number().int(),
        completed: z.number().int(),
        finished: z.number().int(),
        completionRate: z.number().nullable(),
        acceptanceP50Seconds: seconds,
        acceptanceP95Seconds: seconds,
        responseP50Seconds: seconds,
        responseP95Seconds: seconds,
      }),
    )
    .max(SPECIALTIES.length),
});

export const ProviderResponseTimesResponse = z.strictObject({
  rows: z
    .array(
      z.strictObject({
        providerId: z.uuid(),
        displayName: z.string().max(200),
        specialty: z.enum(SPECIALTIES),
        started: z.number().int(),
        responseP50Seconds: z.number(),
        responseP95Seconds: z.number(),
      }),
    )
    .max(MAX_PROVIDER_REPORT_ROWS),
});
