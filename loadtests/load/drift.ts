import type { TimelinePoint } from './artillery-results';
import type { ServiceView } from './service-view';

export interface DriftSlice {
  /** Minutes since the run's first period, at the slice's start and end. */
  readonly fromMinute: number;
  readonly toMinute: number;
  readonly requestRate: number;
  /** The worst 10 s p99 of the slice, as artillery measured it. */
  readonly worstP99: number | undefined;
  /** The largest instance's memory at the slice's last sample. */
  readonly rssBytes: number | undefined;
  readonly heapUsedBytes: number | undefined;
}

const last = <T>(values: readonly T[]) => values[values.length - 1];

/**
 * The run cut into equal slices, each with its throughput, latency and memory: a soak's drift (memory
 * that keeps growing, latency that creeps up at a steady rate) reads down the columns.
 */
export function driftSlices(
  timeline: readonly TimelinePoint[],
  memory: ServiceView['memory'],
  count = 6,
): DriftSlice[] {
  if (timeline.length === 0) return [];
  const start = timeline[0]!.at;
  const end = last(timeline)!.at + 10_000;
  const width = (end - start) / count;
  return Array.from({ length: count }, (_, index) => {
    const from = start + index * width;
    const to = from + width;
    const periods = timeline.filter((point) => point.at >= from && point.at < to);
    const samples = memory.filter((sample) => sample.at >= from && sample.at < to);
    const p99s = periods.map((point) => point.p99).filter((value) => value !== undefined);
    return {
      fromMinute: (from - start) / 60_000,
      toMinute: (to - start) / 60_000,
      requestRate: periods.reduce((sum, point) => sum + point.requestRate, 0) / Math.max(1, periods.length),
      worstP99: p99s.length ? Math.max(...p99s) : undefined,
      rssBytes: last(samples)?.rssBytes,
      heapUsedBytes: last(samples)?.heapUsedBytes,
    };
  });
}
