import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  CRITICAL_HOURS,
  CRITICAL_HOURS_OBJECTIVE,
  CRITICAL_HOURS_PERIOD,
  CRITICAL_HOURS_UP,
} from '../../alerts/src/critical-hours';
import { buildDashboard } from './dashboard';
import { quantileTargets, stat, timeseries } from './panels';
import { countOver, gauge, quantileOver, ratio, sumRate } from './promql';
import { THRESHOLDS } from './thresholds';
import { CLINICAL_QUANTILE_WINDOW, COUNT_WINDOW } from './windows';

// What clinical operations watch: are consultations flowing, how long patients wait, and whether
// providers are there to answer during the hours patients expect them.

const TRANSITIONS = 'carewatch_consultation_transitions_total';
const ENDED_STATUSES = 'completed|cancelled|no_show|expired';

/** Per minute reads better than per second for human-paced events. */
function perMinute(expr: string): string {
  return `60 * ${expr}`;
}

const waitQuantiles = [0.5, 0.95];

function waitPanel(title: string, description: string, base: string): ReturnType<typeof timeseries> {
  return timeseries({
    title,
    description,
    unit: 's',
    targets: quantileTargets(
      (q) => quantileOver(CLINICAL_QUANTILE_WINDOW, q, base, ['specialty']),
      '{{specialty}}',
      waitQuantiles,
    ),
  });
}

function pad(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

export function healthcareOperations(): dashboard.Dashboard {
  const hours = `${pad(CRITICAL_HOURS.startHour)}-${pad(CRITICAL_HOURS.endHour)} in CLINIC_TIMEZONE`;
  return buildDashboard({
    uid: 'carewatch-healthcare-operations',
    title: 'Carewatch / Healthcare operations',
    description:
      'Consultation flow, patient wait times, provider availability and uptime during critical hours.',
    tags: ['operations', 'patient-safety'],
    rows: [
      {
        title: 'Consultations',
        panels: [
          timeseries({
            title: 'Consultation transitions',
            description: 'Consultations entering each status, per minute.',
            unit: 'opm',
            targets: [{ expr: perMinute(sumRate(TRANSITIONS, ['to_status'])), legend: '{{to_status}}' }],
          }),
          timeseries({
            title: 'Completion rate',
            description:
              'Share of consultations that ended as completed (rather than cancelled, no-show or expired).',
            unit: 'percentunit',
            targets: [
              {
                expr: ratio(
                  sumRate(TRANSITIONS, [], 'to_status="completed"'),
                  sumRate(TRANSITIONS, [], `to_status=~"${ENDED_STATUSES}"`),
                ),
                legend: 'completed',
              },
            ],
          }),
          timeseries({
            title: 'Expired requests, last hour',
            description:
              'Consultation requests that expired before any provider accepted them in the hour before each point, by specialty.',
            unit: 'short',
            targets: [
              {
                expr: countOver(COUNT_WINDOW, TRANSITIONS, ['specialty'], 'to_status="expired"'),
                legend: '{{specialty}}',
              },
            ],
          }),
          timeseries({
            title: 'Failed operations',
            description:
              'Consultation and prescription operations that failed with a server error, per minute.',
            unit: 'opm',
            targets: [
              {
                expr: perMinute(
                  sumRate('carewatch_consultation_operations_total', ['operation'], 'result="error"'),
                ),
                legend: 'consultation {{operation}}',
              },
              {
                expr: perMinute(
                  sumRate('carewatch_prescription_operations_total', ['operation'], 'result="error"'),
                ),
                legend: 'prescription {{operation}}',
              },
            ],
          }),
          timeseries({
            title: 'Prescription operations',
            description: 'Prescription operations by operation and result, per minute.',
            unit: 'opm',
            targets: [
              {
                expr: perMinute(sumRate('carewatch_prescription_operations_total', ['operation', 'result'])),
                legend: '{{operation}} {{result}}',
              },
            ],
          }),
        ],
      },
      {
        title: 'Wait times',
        panels: [
          waitPanel(
            'Time to acceptance',
            'p50 and p95 of the time from a consultation request to its acceptance by a provider, by specialty.',
            'carewatch_consultation_time_to_acceptance_seconds',
          ),
          waitPanel(
            'Provider response time',
            'p50 and p95 of the time from acceptance to the start of the consultation, by specialty.',
            'carewatch_provider_response_seconds',
          ),
          timeseries({
            title: 'Pending requests',
            description: 'Consultation requests waiting for a provider, by specialty.',
            unit: 'short',
            targets: [
              {
                expr: gauge('max', 'carewatch_consultation_requests_pending', ['specialty']),
                legend: '{{specialty}}',
              },
            ],
          }),
          timeseries({
            title: 'Oldest waiting request',
            description:
              'How long the longest-waiting patient of each specialty has waited for a provider (0: nobody waits). Pages above the line during critical hours.',
            unit: 's',
            thresholds: THRESHOLDS.oldestWaiting,
            targets: [
              {
                expr: gauge('max', 'carewatch_consultation_oldest_waiting_seconds', ['specialty']),
                legend: '{{specialty}}',
              },
            ],
          }),
        ],
      },
      {
        title: 'Availability',
        panels: [
          timeseries({
            title: 'Providers available by specialty',
            description:
              'Providers currently available to accept a consultation, by specialty (max across instances, which report the same value).',
            unit: 'short',
            targets: [
              { expr: gauge('max', 'carewatch_providers_available', ['specialty']), legend: '{{specialty}}' },
            ],
          }),
          stat({
            title: 'Critical-hours availability, last 30 days',
            description: `The critical-hours SLO (objective ${CRITICAL_HOURS_OBJECTIVE * 100} %): share of minutes between ${hours}, over the last ${CRITICAL_HOURS_PERIOD}, in which at least one instance was up. Minutes without any target count as down.`,
            unit: 'percentunit',
            targets: [
              {
                // The recording rule samples once a minute, only inside critical hours (alerts/src/critical-hours.ts).
                expr: `avg_over_time(${CRITICAL_HOURS_UP}[${CRITICAL_HOURS_PERIOD}])`,
                legend: 'availability',
              },
            ],
          }),
        ],
      },
    ],
  });
}
