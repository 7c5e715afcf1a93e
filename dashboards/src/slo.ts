import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  CRITICAL_ROUTES_REGEX,
  LATENCY_THRESHOLD_SECONDS,
  SLI_EXCLUDED_ROUTES,
  SLO_SERVICE,
} from '../../alerts/src/slo-definitions';
import { PAGE_WINDOWS, TICKET_WINDOWS } from '../../alerts/src/slo-rules';
import { buildDashboard } from './dashboard';
import { stat, timeseries } from './panels';
import { ratio, sumRate } from './promql';
import { THRESHOLDS } from './thresholds';

// SLOs read from the Sloth-compatible recording rules in alerts/dist/slo.rules.yml, so the
// dashboard shows exactly what the burn-rate alerts judge. Those series are aggregated across
// instances on fixed windows, which is why they carry no job/instance matchers or $__rate_interval
// (the dashboard lint knows recorded series are exempt). The "right now" panels use raw metrics.

const SERVICE = `sloth_service="${SLO_SERVICE}"`;
const HTTP = 'http_server_request_duration_seconds';
const CRITICAL = `route=~"${CRITICAL_ROUTES_REGEX}"`;
const USER_ROUTES = `route!~"${SLI_EXCLUDED_ROUTES.join('|')}"`;

function recorded(name: string): string {
  return `${name}{${SERVICE}}`;
}

/** Burn rate over one window: the error ratio divided by the error budget (1 = spending exactly on plan). */
function burnRate(window: string): string {
  return `${recorded(`slo:sli_error:ratio_rate${window}`)}\n/ on (sloth_id, sloth_service, sloth_slo) group_left\n${recorded('slo:error_budget:ratio')}`;
}

const ALERT_WINDOWS = [...PAGE_WINDOWS, ...TICKET_WINDOWS].flatMap((w) => [w.short, w.long]);

export function slo(): dashboard.Dashboard {
  return buildDashboard({
    uid: 'carewatch-slo',
    title: 'Carewatch / SLOs',
    description: `Availability (99.9 % non-5xx) and critical-operation latency (99.9 % under ${LATENCY_THRESHOLD_SECONDS} s) objectives: error budget and burn rates.`,
    tags: ['slo'],
    rows: [
      {
        title: 'Error budget',
        panels: [
          stat({
            title: 'Error budget left (30 days)',
            description:
              'Share of the 30-day error budget not yet spent, per SLO; below 0 the objective is missed.',
            unit: 'percentunit',
            targets: [{ expr: recorded('slo:period_error_budget_remaining:ratio'), legend: '{{sloth_slo}}' }],
          }),
          stat({
            title: 'Objective',
            description: 'The target ratio of good events for each SLO.',
            unit: 'percentunit',
            targets: [{ expr: recorded('slo:objective:ratio'), legend: '{{sloth_slo}}' }],
          }),
          timeseries({
            title: 'Current burn rate',
            description:
              'Error ratio over 5 minutes divided by the error budget; 1 spends the budget exactly over 30 days.',
            unit: 'short',
            thresholds: THRESHOLDS.burnRate,
            targets: [{ expr: recorded('slo:current_burn_rate:ratio'), legend: '{{sloth_slo}}' }],
          }),
        ],
      },
      {
        title: 'Burn rates over the alert windows',
        panels: [
          timeseries({
            title: 'Burn rate by window',
            description:
              'Burn rate over each window the multi-window alerts use: pages at 14.4x (1h and 5m) and 6x (6h and 30m), tickets at 3x (1d and 2h) and 1x (3d and 6h).',
            unit: 'short',
            width: 24,
            thresholds: THRESHOLDS.burnRate,
            targets: [...new Set(ALERT_WINDOWS)].map((w) => ({
              expr: burnRate(w),
              legend: `{{sloth_slo}} ${w}`,
            })),
          }),
        ],
      },
      {
        title: 'Service level indicators right now',
        panels: [
          timeseries({
            title: 'Availability',
            description:
              'Share of API requests not answered with a 5xx, over the rate interval; probes and scrapes (/healthz, /readyz, /metrics) are not counted, as in the SLI.',
            unit: 'percentunit',
            width: 12,
            targets: [
              {
                // No 5xx series exists until the first 5xx: 0 errors, not no availability at all.
                expr: `1 - ${ratio(`${sumRate(`${HTTP}_count`, [], `${USER_ROUTES}, status_code=~"5.."`)} or vector(0)`, sumRate(`${HTTP}_count`, [], USER_ROUTES))}`,
                legend: 'availability',
              },
            ],
          }),
          timeseries({
            title: 'Critical operations under 2 s',
            description: `Share of requests to ${CRITICAL_ROUTES_REGEX} answered within ${LATENCY_THRESHOLD_SECONDS} s.`,
            unit: 'percentunit',
            width: 12,
            targets: [
              {
                expr: ratio(
                  sumRate(`${HTTP}_bucket`, [], `${CRITICAL}, le="${LATENCY_THRESHOLD_SECONDS}"`),
                  sumRate(`${HTTP}_count`, [], CRITICAL),
                ),
                legend: 'within 2 s',
              },
            ],
          }),
        ],
      },
    ],
  });
}
