import { z } from 'zod';
import { SPECIALTIES } from '../providers/model';

export const MAX_REPORT_DAYS = 366;
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
  rows: z.array(
    z.strictObject({
      day: z.iso.date(),
      specialty: z.enum(SPECIALTIES),
      status: z.string(),
      count: z.number().int(),
    }),
  ),
});

export const SpecialtySummaryResponse = z.strictObject({
  rows: z.array(
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
  ),
});

export const ProviderResponseTimesResponse = z.strictObject({
  rows: z.array(
    z.strictObject({
      providerId: z.uuid(),
      displayName: z.string(),
      specialty: z.enum(SPECIALTIES),
      started: z.number().int(),
      responseP50Seconds: z.number(),
      responseP95Seconds: z.number(),
    }),
  ),
});
