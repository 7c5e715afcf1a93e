import { JOB_MATCHER, defineAlert, eventsIn } from './conventions';
import { CRITICAL_HOURS_GROUP, criticalHoursFilter, criticalHoursInput } from './critical-hours';
import { TARGET_LABELS, constant, counter, series } from './test-series';
import type { AlertRule, InputSeries, RuleFile } from './types';

// Patient-safety alerts: a patient is waiting for care, or care could not be delivered. Owned by
// the clinical operations team, who can reassign requests and call providers in.

/** p95 time from a consultation request to its acceptance that operations treat as too slow. */
export const TIME_TO_ACCEPTANCE_P95_SECONDS = 900;
/** Acceptances come a few an hour: the p95 needs half an hour of them (the dashboards use it too). */
export const TIME_TO_ACCEPTANCE_WINDOW = '30m';
/** A patient waiting this long pages during critical hours: half the default request TTL, time to act. */
export const OLDEST_WAITING_PAGE_SECONDS = 900;
/** Share of failed (result="error") operations that means the workflow, not a user, is failing. */
export const OPERATION_ERROR_RATIO = 0.05;
/** Below this many operations in the 10-minute window a ratio is anecdote: one failure in two is not an outage. */
export const OPERATION_MIN_COUNT = 10;
/** Expired requests of one specialty in 15 minutes that page at any hour; fewer page only in critical hours. */
export const EXPIRED_PAGE_COUNT = 3;

const JOB_ONLY = { job: TARGET_LABELS.job };

const expiredIn15m = `sum by (job, specialty) (${eventsIn(`carewatch_consultation_transitions_total{${JOB_MATCHER}, to_status="expired"}`, '15m')})`;

function expiredInput(values: string, criticalHours: 0 | 1 = 0): InputSeries[] {
  return [
    series('carewatch_consultation_transitions_total', values, {
      to_status: 'expired',
      specialty: 'pediatrics',
    }),
    ...criticalHoursInput(criticalHours, 600),
  ];
}

// A page when patients go unanswered in numbers, or at all while clinics expect to answer; a single
// expired request at 3 a.m. is a ticket (CarewatchConsultationRequestExpired) for the morning.
const requestsExpiring = defineAlert({
  name: 'CarewatchConsultationRequestsExpiring',
  expr: `${expiredIn15m} >= ${EXPIRED_PAGE_COUNT}\nor\n(${expiredIn15m} > 0 and on () ${criticalHoursFilter()})`,
  severity: 'critical',
  team: 'operations',
  summary: 'Consultation requests are expiring without any provider accepting them.',
  description:
    '{{ $value | humanize }} {{ $labels.specialty }} consultation requests expired unanswered in the last 15 minutes.',
  cases: {
    fires: {
      input: [
        series('carewatch_consultation_transitions_total', '0x10 1+1x10', {
          to_status: 'expired',
          specialty: 'pediatrics',
        }),
      ],
      evalTime: '20m',
      expect: [{ labels: { ...JOB_ONLY, specialty: 'pediatrics' }, value: '10' }],
    },
    quiet: {
      why: 'the expired counter exists but has not moved in 15 minutes',
      input: [
        series('carewatch_consultation_transitions_total', '3x40', {
          to_status: 'expired',
          specialty: 'pediatrics',
        }),
      ],
      evalTime: '35m',
    },
    more: [
      {
        why: 'one expired request at 03:00 is a ticket, not a page',
        input: expiredInput('0x170 1x20'),
        evalTime: '175m',
      },
      {
        // One is enough while the clinics are open: 08:00 is inside critical hours.
        input: expiredInput('0x470 1x20', 1),
        evalTime: '475m',
        expect: [{ labels: { ...JOB_ONLY, specialty: 'pediatrics' }, value: '1' }],
      },
    ],
  },
});

const requestExpired = defineAlert({
  name: 'CarewatchConsultationRequestExpired',
  expr: `${expiredIn15m} > 0`,
  severity: 'warning',
  team: 'operations',
  summary: 'A consultation request expired without any provider accepting it.',
  description:
    '{{ $value | humanize }} {{ $labels.specialty }} consultation requests expired unanswered in the last 15 minutes.',
  cases: {
    fires: {
      input: expiredInput('0x170 1x20'),
      evalTime: '175m',
      expect: [{ labels: { ...JOB_ONLY, specialty: 'pediatrics' }, value: '1' }],
    },
    quiet: { why: 'nothing expired in 15 minutes', input: expiredInput('1x40'), evalTime: '35m' },
    more: [
      {
        // The first expired request on a pod whose series was not yet scraped at 0.
        input: expiredInput('_x5 1x10'),
        evalTime: '10m',
        expect: [{ labels: { ...JOB_ONLY, specialty: 'pediatrics' }, value: '1' }],
      },
    ],
  },
});

const ACCEPTANCE_BUCKETS = ['30', '60', '120', '300', '600', '900', '1800', '3600', '+Inf'];

/** Acceptance-time buckets where every acceptance took between `from` and the next bucket bound. */
function acceptanceInput(slowestBoundReached: string): InputSeries[] {
  const reached = ACCEPTANCE_BUCKETS.indexOf(slowestBoundReached);
  return ACCEPTANCE_BUCKETS.map((le, i) =>
    series(
      'carewatch_consultation_time_to_acceptance_seconds_bucket',
      i >= reached ? counter(2, 60) : constant(0, 60),
      {
        specialty: 'cardiology',
        le,
      },
    ),
  );
}

const timeToAcceptance = defineAlert({
  name: 'CarewatchTimeToAcceptanceHigh',
  expr:
    `histogram_quantile(0.95, sum by (job, specialty, le) (rate(carewatch_consultation_time_to_acceptance_seconds_bucket{${JOB_MATCHER}}[${TIME_TO_ACCEPTANCE_WINDOW}])))\n` +
    `> ${TIME_TO_ACCEPTANCE_P95_SECONDS}`,
  for: '10m',
  severity: 'warning',
  team: 'operations',
  summary: 'Patients are waiting too long for a provider to accept their consultation.',
  description:
    'The p95 time to acceptance for {{ $labels.specialty }} is {{ $value | humanizeDuration }} over 30 minutes.',
  cases: {
    fires: {
      // All acceptances between 1800 s and 3600 s: the interpolated p95 is 3510 s.
      input: acceptanceInput('3600'),
      evalTime: '45m',
      expect: [{ labels: { ...JOB_ONLY, specialty: 'cardiology' }, value: '58m 30s' }],
    },
    quiet: { why: 'acceptances within 2 minutes', input: acceptanceInput('120'), evalTime: '45m' },
  },
});

function providersInput(available: number, criticalHours: 0 | 1): InputSeries[] {
  return [
    series('carewatch_providers_available', constant(available, 600), { specialty: 'dermatology' }),
    ...criticalHoursInput(criticalHours, 600),
  ];
}

const noProvider = defineAlert({
  name: 'CarewatchNoProviderAvailable',
  expr: `(max by (job, specialty) (carewatch_providers_available{${JOB_MATCHER}}) == 0)\nand on ()\n${criticalHoursFilter()}`,
  for: '5m',
  severity: 'critical',
  team: 'operations',
  summary: 'A specialty has no provider available during critical hours.',
  description: 'No {{ $labels.specialty }} provider has been available for 5 minutes during critical hours.',
  cases: {
    fires: {
      input: providersInput(0, 1),
      evalTime: '8h',
      expect: [{ labels: { ...JOB_ONLY, specialty: 'dermatology' }, value: '0' }],
    },
    quiet: {
      why: 'at 03:00 local an empty specialty is outside critical hours',
      input: providersInput(0, 0),
      evalTime: '3h',
    },
    more: [
      {
        // 03:00 UTC is 08:30 in a clinic at UTC+5:30: the service's local verdict rules, not hour().
        input: providersInput(0, 1),
        evalTime: '3h',
        expect: [{ labels: { ...JOB_ONLY, specialty: 'dermatology' }, value: '0' }],
      },
    ],
  },
});

function failureRatioExpr(metric: string): string {
  const rate = (extra: string): string =>
    `sum by (job, operation) (rate(${metric}{${JOB_MATCHER}${extra}}[10m]))`;
  const count = `sum by (job, operation) (increase(${metric}{${JOB_MATCHER}}[10m]))`;
  return `${rate(', result="error"')}\n/\n${rate('')}\n> ${OPERATION_ERROR_RATIO}\nand\n${count} >= ${OPERATION_MIN_COUNT}`;
}

/** One failure and one success in the window: 50 %, but two operations say nothing about an outage. */
function twoOperationsInput(metric: string, operation: string): InputSeries[] {
  return [
    series(metric, '0x10 1x20', { operation, result: 'error' }),
    series(metric, '0x10 1x20', { operation, result: 'ok' }),
  ];
}

function operationsInput(
  metric: string,
  operation: string,
  errorsPerMinute: number,
  successesPerMinute: number,
): InputSeries[] {
  return [
    series(metric, counter(errorsPerMinute, 30), { operation, result: 'error' }),
    series(metric, counter(successesPerMinute, 30), { operation, result: 'success' }),
  ];
}

const consultationFailures = defineAlert({
  name: 'CarewatchConsultationFailures',
  expr: failureRatioExpr('carewatch_consultation_operations_total'),
  for: '5m',
  // A ticket, not a page: a failed consultation step can be retried by the patient or provider.
  severity: 'warning',
  team: 'operations',
  summary: 'Consultation operations are failing with server errors.',
  description:
    '{{ $value | humanizePercentage }} of consultation {{ $labels.operation }} operations failed over 10 minutes.',
  cases: {
    fires: {
      input: operationsInput('carewatch_consultation_operations_total', 'accept', 1, 3),
      evalTime: '20m',
      expect: [{ labels: { ...JOB_ONLY, operation: 'accept' }, value: '25%' }],
    },
    quiet: {
      why: 'conflicts are user races, and 1 % errors is under the threshold',
      input: operationsInput('carewatch_consultation_operations_total', 'accept', 1, 99),
      evalTime: '20m',
    },
    more: [
      {
        why: 'one failure in two operations is below the minimum traffic',
        input: twoOperationsInput('carewatch_consultation_operations_total', 'accept'),
        evalTime: '20m',
      },
    ],
  },
});

const prescriptionFailures = defineAlert({
  name: 'CarewatchPrescriptionFailures',
  expr: failureRatioExpr('carewatch_prescription_operations_total'),
  for: '5m',
  // A page: a prescription that is not issued or sent leaves a patient without medication.
  severity: 'critical',
  team: 'operations',
  summary: 'Prescription operations are failing with server errors.',
  description:
    '{{ $value | humanizePercentage }} of prescription {{ $labels.operation }} operations failed over 10 minutes.',
  cases: {
    fires: {
      input: operationsInput('carewatch_prescription_operations_total', 'send', 1, 1),
      evalTime: '20m',
      expect: [{ labels: { ...JOB_ONLY, operation: 'send' }, value: '50%' }],
    },
    quiet: {
      why: '1 % errors is under the threshold',
      input: operationsInput('carewatch_prescription_operations_total', 'send', 1, 99),
      evalTime: '20m',
    },
    more: [
      {
        why: 'one failure in two operations is below the minimum traffic',
        input: twoOperationsInput('carewatch_prescription_operations_total', 'send'),
        evalTime: '20m',
      },
    ],
  },
});

function waitingInput(oldestSeconds: number, criticalHours: 0 | 1): InputSeries[] {
  return [
    series('carewatch_consultation_oldest_waiting_seconds', constant(oldestSeconds, 30), {
      specialty: 'cardiology',
    }),
    ...criticalHoursInput(criticalHours, 30),
  ];
}

const patientWaiting = defineAlert({
  name: 'CarewatchPatientWaitingLong',
  expr: `max by (job, specialty) (carewatch_consultation_oldest_waiting_seconds{${JOB_MATCHER}}) > ${OLDEST_WAITING_PAGE_SECONDS}\nand on ()\n${criticalHoursFilter()}`,
  for: '2m',
  severity: 'critical',
  team: 'operations',
  summary: 'A patient has been waiting too long for a provider during critical hours.',
  description:
    'The oldest waiting {{ $labels.specialty }} consultation request has waited {{ $value | humanizeDuration }} without a provider.',
  cases: {
    fires: {
      input: waitingInput(1200, 1),
      evalTime: '10m',
      expect: [{ labels: { ...JOB_ONLY, specialty: 'cardiology' }, value: '20m 0s' }],
    },
    quiet: { why: 'five minutes of waiting is normal', input: waitingInput(300, 1), evalTime: '10m' },
    more: [
      {
        why: 'outside critical hours a long wait is the expiry ticket’s, not a page',
        input: waitingInput(1200, 0),
        evalTime: '10m',
      },
    ],
  },
});

export const PATIENT_SAFETY_ALERTS: AlertRule[] = [
  patientWaiting,
  requestsExpiring,
  requestExpired,
  timeToAcceptance,
  noProvider,
  consultationFailures,
  prescriptionFailures,
];

export const PATIENT_SAFETY_RULES: RuleFile = {
  name: 'patient-safety',
  groups: [CRITICAL_HOURS_GROUP, { name: 'carewatch-patient-safety', rules: PATIENT_SAFETY_ALERTS }],
};
