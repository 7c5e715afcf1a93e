import { JOB } from './conventions';
import type { InputSeries } from './types';

// Helpers for writing promtool input series in alert cases: every series comes from the one test
// instance of the scrape job, so expected labels stay short and identical across cases.

export const TEST_INSTANCE = 'carewatch-0:9464';
export const TARGET_LABELS = { job: JOB, instance: TEST_INSTANCE } as const;

/** `metric{job="carewatch", instance="...", extra...}` with `values` in promtool's expanding notation. */
export function series(metric: string, values: string, labels: Record<string, string> = {}): InputSeries {
  const all = { ...TARGET_LABELS, ...labels };
  const matchers = Object.entries(all).map(([k, v]) => `${k}="${v}"`);
  return { series: `${metric}{${matchers.join(', ')}}`, values };
}

/** A counter growing by `perMinute` each minute for `minutes` minutes (inputs use a 1m interval). */
export function counter(perMinute: number, minutes: number): string {
  return `0+${perMinute}x${minutes}`;
}

/** A gauge holding `value` for `minutes` minutes. */
export function constant(value: number, minutes: number): string {
  return `${value}x${minutes}`;
}

/** A counter whose per-minute increase changes: `[perMinute, minutes]` pieces, one after another. */
export function counterSegments(pieces: readonly (readonly [number, number])[]): string {
  let value = 0;
  return pieces
    .map(([perMinute, minutes], i) => {
      // Every piece but the first starts one minute after the previous piece's last sample.
      const start = i === 0 ? value : value + perMinute;
      const steps = i === 0 ? minutes : minutes - 1;
      value = start + perMinute * steps;
      return `${start}+${perMinute}x${steps}`;
    })
    .join(' ');
}
