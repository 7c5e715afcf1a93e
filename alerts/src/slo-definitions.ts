import { JOB_MATCHER } from './conventions';
import type { InputSeries } from './types';

// The service level objectives. Each names the ratio of bad events to all events as two PromQL
// templates with a `{{window}}` placeholder, the way Sloth's `errorQuery`/`totalQuery` do.

export interface SloDefinition {
  /** Sloth's `slo` name; with the service it forms `sloth_id`. */
  name: string;
  objectivePercent: number;
  description: string;
  errorQuery: string;
  totalQuery: string;
  /** promtool input with `bad` bad and `good` good events a minute, for `minutes` minutes. */
  testInput(bad: number, good: number, minutes: number): InputSeries[];
  /** promtool input where only traffic the SLI excludes fails, beside healthy API traffic. */
  excludedFailuresInput?(minutes: number): InputSeries[];
}

export const SLO_SERVICE = 'carewatch';
/** Sloth's default period: the error budget is spent over 30 days. */
export const SLO_PERIOD_DAYS = 30;

const HTTP = 'http_server_request_duration_seconds';
const TEST_LABELS = `${JOB_MATCHER}, instance="carewatch-0:9464", method="POST"`;

function counter(perMinute: number, minutes: number): string {
  return `0+${perMinute}x${minutes}`;
}

/**
 * Routes whose latency the clinical side depends on: a patient waiting on a consultation or a
 * prescription. The rest of the API has no latency objective, only availability.
 */
export const CRITICAL_ROUTES_REGEX = '/v1/(consultations|prescriptions).*';
export const LATENCY_THRESHOLD_SECONDS = '2';

/**
 * Probes and scrapes are not user traffic: a draining pod answers /readyz with 503 on purpose, and a
 * scrape storm is Prometheus' doing. They stay in the histogram (the dashboards show them) but not in
 * the SLI, so they never spend the error budget.
 */
export const SLI_EXCLUDED_ROUTES = ['/healthz', '/readyz', '/metrics'] as const;
const USER_TRAFFIC = `${JOB_MATCHER}, route!~"${SLI_EXCLUDED_ROUTES.join('|')}"`;

export const AVAILABILITY_SLO: SloDefinition = {
  name: 'requests-availability',
  objectivePercent: 99.9,
  description: '99.9 % of API requests succeed (a 5xx response is an error).',
  // No 5xx series exists until the first 5xx: without the 0 a healthy service would have no SLI at all.
  errorQuery: `sum(rate(${HTTP}_count{${USER_TRAFFIC}, status_code=~"5.."}[{{window}}])) or vector(0)`,
  totalQuery: `sum(rate(${HTTP}_count{${USER_TRAFFIC}}[{{window}}]))`,
  testInput: (bad, good, minutes) => [
    {
      series: `${HTTP}_count{${TEST_LABELS}, route="/v1/patients/:id", status_code="500"}`,
      values: counter(bad, minutes),
    },
    {
      series: `${HTTP}_count{${TEST_LABELS}, route="/v1/patients/:id", status_code="200"}`,
      values: counter(good, minutes),
    },
  ],
  excludedFailuresInput: (minutes) => [
    {
      series: `${HTTP}_count{${TEST_LABELS}, route="/readyz", status_code="503"}`,
      values: counter(60, minutes),
    },
    {
      series: `${HTTP}_count{${TEST_LABELS}, route="/v1/patients/:id", status_code="200"}`,
      values: counter(60, minutes),
    },
  ],
};

export const LATENCY_SLO: SloDefinition = {
  name: 'critical-latency',
  objectivePercent: 99.9,
  description: `99.9 % of critical operations answer within ${LATENCY_THRESHOLD_SECONDS} s.`,
  // Slow = all requests minus those in the le="2" bucket: histogram buckets are cumulative.
  errorQuery:
    `(sum(rate(${HTTP}_count{${JOB_MATCHER}, route=~"${CRITICAL_ROUTES_REGEX}"}[{{window}}]))` +
    ` - sum(rate(${HTTP}_bucket{${JOB_MATCHER}, route=~"${CRITICAL_ROUTES_REGEX}", le="${LATENCY_THRESHOLD_SECONDS}"}[{{window}}])))`,
  totalQuery: `sum(rate(${HTTP}_count{${JOB_MATCHER}, route=~"${CRITICAL_ROUTES_REGEX}"}[{{window}}]))`,
  testInput: (bad, good, minutes) => [
    {
      series: `${HTTP}_count{${TEST_LABELS}, route="/v1/consultations", status_code="201"}`,
      values: counter(bad + good, minutes),
    },
    {
      series: `${HTTP}_bucket{${TEST_LABELS}, route="/v1/consultations", status_code="201", le="${LATENCY_THRESHOLD_SECONDS}"}`,
      values: counter(good, minutes),
    },
  ],
};

export function slothId(slo: SloDefinition): string {
  return `${SLO_SERVICE}-${slo.name}`;
}

export function errorBudget(slo: SloDefinition): number {
  // Rounded so 1 - 0.999 prints as 0.001, not 0.0010000000000000009.
  return Number((1 - slo.objectivePercent / 100).toFixed(6));
}
