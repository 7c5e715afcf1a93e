import type { TimelinePoint } from './artillery-results';

export interface Knee {
  /** The last 10 s period that still looked like the start of the run. */
  readonly lastGood: TimelinePoint;
  /** The first of two periods in a row where p99 left its baseline or failures began. */
  readonly broke: TimelinePoint;
  readonly reason: string;
  readonly baselineP99: number;
}

const FAILURE_RATIO = 0.01;

/** The p99 threshold of day and peak: where a ramp stops meeting the service's promise. */
export const THRESHOLD_P99_MS = 2000;

type Verdict = (point: TimelinePoint) => string | undefined;

const brokenAbove =
  (limit: number): Verdict =>
  (point) =>
    point.p99! > limit
      ? `p99 ${Math.round(point.p99!)} ms > ${Math.round(limit)} ms`
      : point.failed > FAILURE_RATIO * Math.max(1, point.arrivals)
        ? `${point.failed} failed users of ${point.arrivals} arrivals`
        : undefined;

/** Two broken periods in a row (one slow period is noise on a shared machine), and the one before. */
function firstBreak(measured: readonly TimelinePoint[], broken: Verdict) {
  for (let index = 1; index + 1 < measured.length; index++) {
    const reason = broken(measured[index]!);
    if (reason && broken(measured[index + 1]!))
      return { lastGood: measured[index - 1]!, broke: measured[index]!, reason };
  }
  return undefined;
}

const measuredOf = (timeline: readonly TimelinePoint[]) =>
  timeline.filter((point) => point.p99 !== undefined);

/**
 * Where a ramp stops being absorbed: latency (p99) jumps from its early level — four times the median
 * p99 of the first fifth of the run, and at least a second — or users start failing, for two periods in
 * a row. Undefined when the run never broke.
 */
export function findKnee(timeline: readonly TimelinePoint[]): Knee | undefined {
  const measured = measuredOf(timeline);
  if (measured.length < 4) return undefined;
  const early = measured
    .slice(0, Math.max(2, Math.floor(measured.length / 5)))
    .map((point) => point.p99!)
    .sort((a, b) => a - b);
  const baselineP99 = early[Math.floor(early.length / 2)]!;
  const found = firstBreak(measured, brokenAbove(Math.max(4 * baselineP99, 1000)));
  return found && { ...found, baselineP99 };
}

/**
 * Where the run stopped meeting day's and peak's threshold (p99 < 2 s, failures under 1 % of arrivals):
 * unlike the knee, it does not depend on the run's early latency, so two runs compare on one scale.
 */
export function findThresholdBreak(timeline: readonly TimelinePoint[]) {
  return firstBreak(measuredOf(timeline), brokenAbove(THRESHOLD_P99_MS));
}
