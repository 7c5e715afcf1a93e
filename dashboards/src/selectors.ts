import { isRecordedMetricName, listMetricNames } from '../../alerts/src/metric-names';

// Finds each place a metric is selected in a PromQL expression, with its label matchers and what
// surrounds it, which is all the dashboard lint rules need to know.

export interface SelectorUse {
  metric: string;
  /** The text inside `{...}`, empty when the selector has none. */
  matchers: string;
  /** The expression text before the selector, to see which function wraps it. */
  before: string;
  /** True when a range `[...]` follows, i.e. the selector is a range vector. */
  isRange: boolean;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function selectorUses(expr: string): SelectorUse[] {
  return listMetricNames(expr).flatMap((metric) => {
    const pattern = new RegExp(
      `(?<![\\w:"])${escapeRegExp(metric)}(?![\\w:])\\s*(\\{[^}]*\\})?(\\s*\\[)?`,
      'g',
    );
    return [...expr.matchAll(pattern)].map((m) => ({
      metric,
      matchers: (m[1] ?? '').slice(1, -1),
      before: expr.slice(0, m.index),
      isRange: m[2] !== undefined,
    }));
  });
}

const COUNTER_SUFFIXES = ['_total', '_count', '_sum', '_bucket'];

export function isCounterName(metric: string): boolean {
  return !isRecordedMetricName(metric) && COUNTER_SUFFIXES.some((s) => metric.endsWith(s));
}

/** The function name whose call encloses the selector, if the selector is its first argument. */
export function wrappingFunction(use: SelectorUse): string | undefined {
  return /(\w+)\s*\(\s*$/.exec(use.before)?.[1];
}
