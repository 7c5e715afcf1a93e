import { TARGET_MATCHERS } from './variables';

// PromQL builders for dashboard targets. Every selector goes through `sel`, so the job and instance
// variables are never forgotten, and every range through RATE_INTERVAL, so rates follow Grafana's
// scrape-aware interval.

export const RATE_INTERVAL = '$__rate_interval';

/** `metric{job=~"$job", instance=~"$instance", extra}`. */
export function sel(metric: string, extra?: string): string {
  return `${metric}{${TARGET_MATCHERS}${extra === undefined ? '' : `, ${extra}`}}`;
}

function by(labels: readonly string[]): string {
  return labels.length === 0 ? '' : ` by (${labels.join(', ')})`;
}

/** `sum by (labels) (rate(metric{...}[$__rate_interval]))`. */
export function sumRate(metric: string, labels: readonly string[] = [], extra?: string): string {
  return `sum${by(labels)} (rate(${sel(metric, extra)}[${RATE_INTERVAL}]))`;
}

/** `sum by (labels) (increase(metric{...}[window]))`: a count of rare events over a fixed window. */
export function countOver(
  window: string,
  metric: string,
  labels: readonly string[] = [],
  extra?: string,
): string {
  return `sum${by(labels)} (increase(${sel(metric, extra)}[${window}]))`;
}

/** The q-quantile of a histogram over a fixed window (rare events: see windows.ts). */
export function quantileOver(
  window: string,
  q: number,
  base: string,
  labels: readonly string[] = [],
): string {
  return `histogram_quantile(${q}, sum${by(['le', ...labels])} (rate(${sel(`${base}_bucket`)}[${window}])))`;
}

/** The q-quantile of a histogram (`base` without `_bucket`), per `labels`. */
export function quantile(q: number, base: string, labels: readonly string[] = [], extra?: string): string {
  return `histogram_quantile(${q}, ${sumRate(`${base}_bucket`, ['le', ...labels], extra)})`;
}

/** `aggregation by (labels) (metric{...})` for gauges. */
export function gauge(
  aggregation: 'sum' | 'max' | 'min' | 'avg',
  metric: string,
  labels: readonly string[] = [],
  extra?: string,
): string {
  return `${aggregation}${by(labels)} (${sel(metric, extra)})`;
}

/** A ratio of two expressions, each parenthesised so operator precedence never surprises. */
export function ratio(numerator: string, denominator: string): string {
  return `(${numerator})\n/\n(${denominator})`;
}
