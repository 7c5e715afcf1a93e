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

/**
 * Where a ramp stops being absorbed: latency (p99) jumps from its early level — four times the median
 * p99 of the first fifth of the run, and at least a second — or users start failing, for two periods in
 * a row (one slow period is noise on a shared machine). Undefined when the run never broke.
 */
export function findKnee(timeline: readonly TimelinePoint[]): Knee | undefined {
  const measured = timeline.filter((point) => point.p99 !== undefined);
  if (measured.length < 4) return undefined;
  const early = measured
    .slice(0, Math.max(2, Math.floor(measured.length / 5)))
    .map((point) => point.p99!)
    .sort((a, b) => a - b);
  const baselineP99 = early[Math.floor(early.length / 2)]!;
  const limit = Math.max(4 * baselineP99, 1000);
  const broken = (point: TimelinePoint) =>
    point.p99! > limit
      ? `p99 ${Math.round(point.p99!)} ms > ${Math.round(limit)} ms`
      : point.failed > FAILURE_RATIO * Math.max(1, point.arrivals)
        ? `${point.failed} failed users of ${point.arrivals} arrivals`
        : undefined;
  for (let index = 1; index + 1 < measured.length; index++) {
    const reason = broken(measured[index]!);
    if (reason && broken(measured[index + 1]!))
      return { lastGood: measured[index - 1]!, broke: measured[index]!, reason, baselineP99 };
  }
  return undefined;
}
