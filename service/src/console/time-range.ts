import { z } from 'zod';

// The time range and step a page asks for, bounded so one request cannot ask Prometheus or the database
// for more than a chart can show: at most 31 days, at most MAX_POINTS points, steps of at least 15 s.

export const MAX_RANGE_SECONDS = 31 * 24 * 3600;
export const MIN_RANGE_SECONDS = 5 * 60;
export const MIN_STEP_SECONDS = 15;
export const MAX_POINTS = 720;

const unixSeconds = z.coerce.number().int().min(0);

export const TimeRangeQuery = z
  .strictObject({
    from: unixSeconds.describe('Start, Unix seconds'),
    to: unixSeconds.describe('End, Unix seconds'),
    step: z.coerce.number().int().min(MIN_STEP_SECONDS).optional().describe('Seconds between points'),
  })
  .refine((q) => q.to - q.from >= MIN_RANGE_SECONDS, {
    message: `the range must span at least ${MIN_RANGE_SECONDS} s`,
    path: ['from'],
  })
  .refine((q) => q.to - q.from <= MAX_RANGE_SECONDS, {
    message: `the range may span at most ${MAX_RANGE_SECONDS} s (31 days)`,
    path: ['from'],
  });

export interface TimeRange {
  /** Aligned down to a multiple of step, so points fall on the same instants in every panel. */
  readonly from: number;
  readonly to: number;
  readonly step: number;
}

/** The range as it will be queried: a step no finer than MAX_POINTS allows, `from` aligned to it. */
export function boundedRange(query: z.infer<typeof TimeRangeQuery>): TimeRange {
  const span = query.to - query.from;
  const step = Math.max(query.step ?? 0, MIN_STEP_SECONDS, Math.ceil(span / MAX_POINTS));
  return { from: Math.floor(query.from / step) * step, to: query.to, step };
}

/** Every instant of the range's grid. */
export function gridOf(range: TimeRange): number[] {
  const instants: number[] = [];
  for (let t = range.from; t <= range.to; t += range.step) instants.push(t);
  return instants;
}
