import { CRITICAL_HOURS } from '../../service/src/observability/critical-hours';
import { JOB_MATCHER, defineAlert } from './conventions';
import { constant, series } from './test-series';
import type { AlertRule, InputSeries, RecordingRule, RuleGroup } from './types';

// Critical hours as the rules see them. The service exports carewatch_in_critical_period, judged in the
// clinics' time zone (CLINIC_TIMEZONE) with daylight saving; while no target answers, the rules fall
// back on the last UTC offset the service exported, so an outage inside critical hours still counts
// as one. Shared by the alert rules and the healthcare-operations dashboard.

export { CRITICAL_HOURS };

export const CRITICAL_HOURS_ACTIVE = 'carewatch:critical_hours:active';
export const CRITICAL_HOURS_UP = 'carewatch:critical_hours_up:bool';
/** The critical-hours availability objective, over the reporting period below. */
export const CRITICAL_HOURS_OBJECTIVE = 0.999;
export const CRITICAL_HOURS_PERIOD = '30d';

const LOCAL_HOUR = `hour(vector(time() + scalar(max(last_over_time(carewatch_clinic_utc_offset_seconds{${JOB_MATCHER}}[7d])))))`;

/** `x and on () criticalHoursFilter()` keeps x only during critical hours. */
export function criticalHoursFilter(): string {
  return `(${CRITICAL_HOURS_ACTIVE} == 1)`;
}

const recordings: RecordingRule[] = [
  {
    record: CRITICAL_HOURS_ACTIVE,
    expr:
      `max(carewatch_in_critical_period{${JOB_MATCHER}})\nor\n` +
      `(${LOCAL_HOUR} >= bool ${CRITICAL_HOURS.startHour}) * (${LOCAL_HOUR} < bool ${CRITICAL_HOURS.endHour})`,
  },
  {
    // One sample a minute inside critical hours: 1 if any target is up, 0 if none is or none exists.
    record: CRITICAL_HOURS_UP,
    expr: `(max(up{${JOB_MATCHER}}) or vector(0))\nand on ()\n${criticalHoursFilter()}`,
  },
];

/** carewatch_in_critical_period at `inside` (1 or 0) for `minutes` minutes, the clinic's verdict. */
export function criticalHoursInput(inside: 0 | 1, minutes: number): InputSeries[] {
  return [series('carewatch_in_critical_period', constant(inside, minutes))];
}

const availabilityLow = defineAlert({
  name: 'CarewatchCriticalHoursAvailabilityLow',
  expr: `avg_over_time(${CRITICAL_HOURS_UP}[${CRITICAL_HOURS_PERIOD}]) < ${CRITICAL_HOURS_OBJECTIVE}`,
  for: '30m',
  severity: 'warning',
  team: 'sre',
  summary: 'Availability during critical hours is below its objective for the reporting period.',
  description: `The service was up {{ $value | humanizePercentage }} of critical-hours minutes over the last ${CRITICAL_HOURS_PERIOD}, below ${CRITICAL_HOURS_OBJECTIVE * 100} %.`,
  cases: {
    fires: {
      // Ten minutes without any target, during critical hours: missing targets count as down.
      // The service's own gauges vanish with it; the rule falls back on the last offset (UTC+8: 08:50).
      input: [
        series('up', '1x50 stale _x9 1x69'),
        series('carewatch_in_critical_period', '1x50 stale _x9 1x69'),
        series('carewatch_clinic_utc_offset_seconds', '28800x50 stale _x9 28800x69'),
      ],
      evalTime: '120m',
      expect: [{ labels: {}, value: '91.74%' }],
    },
    quiet: {
      why: 'the outage fell outside critical hours',
      input: [series('carewatch_in_critical_period', '0x80 1x50'), series('up', '1x50 stale _x9 1x69')],
      evalTime: '120m',
    },
  },
});

export const CRITICAL_HOURS_GROUP: RuleGroup = {
  name: 'carewatch-critical-hours',
  rules: [...recordings, availabilityLow],
};

export const CRITICAL_HOURS_ALERTS: AlertRule[] = [availabilityLow];
