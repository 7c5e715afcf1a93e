import { JOB_MATCHER, defineAlert, eventsIn } from './conventions';
import { TARGET_LABELS, constant, counter, counterSegments, series } from './test-series';
import type { AlertRule, InputSeries, RuleFile } from './types';

// HIPAA compliance alerts: the audit trail is incomplete, untrustworthy or shows unusual access.
// Owned by the compliance officers; an audit write failure also stops PHI responses (fail closed).

/** Seconds an event may wait before the sealer chains it into a block. */
export const SEALER_LAG_SECONDS = 300;
/** The verifier runs daily; a day and a half without a run means it is not running. */
export const VERIFICATION_MAX_AGE_SECONDS = 36 * 3600;
/** PHI access this many times above the same hour's rate on previous days, for the same role, is unusual. */
export const PHI_ACCESS_SPIKE_FACTOR = 3;
/** Below this many PHI accesses a second a spike is too small to investigate. */
export const PHI_ACCESS_MIN_PER_SECOND = 1;

const PHI_ACTIONS = 'read|list|export';
const INSTANCE_LABELS = { ...TARGET_LABELS };

const writeFailure = defineAlert({
  name: 'CarewatchAuditWriteFailure',
  expr: `sum by (job, instance) (increase(carewatch_audit_write_failures_total{${JOB_MATCHER}}[5m])) > 0`,
  severity: 'critical',
  team: 'compliance',
  summary: 'Audit events could not be written, so PHI requests are being refused.',
  description:
    '{{ $labels.instance }} failed to write {{ $value | humanize }} audit events in the last 5 minutes.',
  cases: {
    fires: {
      input: [series('carewatch_audit_write_failures_total', '0x5 2x10')],
      evalTime: '10m',
      expect: [{ labels: INSTANCE_LABELS, value: '2' }],
    },
    quiet: {
      why: 'the failure counter is flat',
      input: [series('carewatch_audit_write_failures_total', constant(4, 20))],
      evalTime: '10m',
    },
  },
});

const sealerLag = defineAlert({
  name: 'CarewatchAuditSealerLagHigh',
  expr: `max by (job, instance) (carewatch_audit_sealer_lag_seconds{${JOB_MATCHER}}) > ${SEALER_LAG_SECONDS}`,
  for: '10m',
  severity: 'warning',
  team: 'compliance',
  summary: 'Audit events are waiting too long to be sealed into the tamper-evident chain.',
  description:
    'The oldest unsealed audit event on {{ $labels.instance }} is {{ $value | humanizeDuration }} old.',
  cases: {
    fires: {
      input: [series('carewatch_audit_sealer_lag_seconds', constant(900, 20))],
      evalTime: '15m',
      expect: [{ labels: INSTANCE_LABELS, value: '15m 0s' }],
    },
    quiet: {
      why: 'a few seconds of lag is normal',
      input: [series('carewatch_audit_sealer_lag_seconds', constant(5, 20))],
      evalTime: '15m',
    },
  },
});

// Every instance exports the latest verification recorded in audit_verifications (whichever instance
// ran it), so these alerts aggregate by job. The gauges are absent until a verification has run.
const VERIFIED_SUCCESS = `carewatch_audit_last_verification_success{${JOB_MATCHER}}`;
const VERIFIED_AT = `carewatch_audit_last_verification_timestamp_seconds{${JOB_MATCHER}}`;
const JOB_ONLY = { job: TARGET_LABELS.job };

const verificationFailed = defineAlert({
  name: 'CarewatchAuditVerificationFailed',
  expr: `min by (job) (${VERIFIED_SUCCESS}) == 0`,
  // Instances re-read the latest result every minute: one still showing an older failure after a
  // passing run is not a page.
  for: '2m',
  severity: 'critical',
  team: 'compliance',
  summary: 'The audit chain verifier found changed, removed or reordered audit events.',
  description: 'The latest audit chain verification of job {{ $labels.job }} failed (value {{ $value }}).',
  cases: {
    fires: {
      input: [series('carewatch_audit_last_verification_success', constant(0, 10))],
      evalTime: '5m',
      expect: [{ labels: JOB_ONLY, value: '0' }],
    },
    quiet: {
      why: 'the last verification succeeded',
      input: [series('carewatch_audit_last_verification_success', constant(1, 10))],
      evalTime: '5m',
    },
    more: [
      {
        why: 'a fresh pod exports no result until a verification has run',
        input: [series('up', constant(1, 10))],
        evalTime: '5m',
      },
      {
        why: 'one instance still shows the previous failure for a minute after a passing run',
        input: [
          series('carewatch_audit_last_verification_success', '0x1 1x10'),
          series('carewatch_audit_last_verification_success', constant(1, 10), {
            instance: 'carewatch-1:9464',
          }),
        ],
        evalTime: '1m',
      },
    ],
  },
});

const verificationStale = defineAlert({
  name: 'CarewatchAuditVerificationStale',
  expr: `time() - max by (job) (${VERIFIED_AT}) > ${VERIFICATION_MAX_AGE_SECONDS}`,
  for: '30m',
  severity: 'warning',
  team: 'compliance',
  summary: 'The audit chain has not been verified recently.',
  description: 'The audit chain was last verified {{ $value | humanizeDuration }} ago.',
  cases: {
    // The test clock starts at 0, so a timestamp of 0 is exactly as old as the eval time.
    fires: {
      input: [series('carewatch_audit_last_verification_timestamp_seconds', constant(0, 2460))],
      evalTime: '40h',
      expect: [{ labels: JOB_ONLY, value: '1d 16h 0m 0s' }],
    },
    quiet: {
      why: 'a verification 4 hours ago is recent',
      input: [series('carewatch_audit_last_verification_timestamp_seconds', constant(36 * 3600, 2460))],
      evalTime: '40h',
    },
  },
});

/** The scheduler verifies at once on a fresh deployment; two hours without any result means it is not running. */
const verificationMissing = defineAlert({
  name: 'CarewatchAuditVerificationMissing',
  expr: `count by (job) (up{${JOB_MATCHER}} == 1)\nunless on (job)\ncount by (job) (${VERIFIED_AT})`,
  for: '2h',
  severity: 'warning',
  team: 'compliance',
  summary: 'No instance reports any audit chain verification.',
  description:
    '{{ $value }} instances of job {{ $labels.job }} are up, and none has exported an audit chain verification for 2 hours.',
  cases: {
    fires: {
      input: [series('up', constant(1, 200))],
      evalTime: '150m',
      expect: [{ labels: JOB_ONLY, value: '1' }],
    },
    quiet: {
      why: 'a verification result is exported',
      input: [
        series('up', constant(1, 200)),
        series('carewatch_audit_last_verification_timestamp_seconds', constant(60, 200)),
      ],
      evalTime: '150m',
    },
  },
});

const PHI_SELECTOR = `carewatch_audit_events_total{${JOB_MATCHER}, action=~"${PHI_ACTIONS}"}`;
const phiRate = (window: string, offset = ''): string =>
  `sum by (job, actor_role) (rate(${PHI_SELECTOR}[${window}]${offset}))`;

/**
 * Like with like: the same hour yesterday and the same hour a week ago (whichever was busier), so the
 * morning rush is compared with mornings, not with a daily average that nights pull down. Written as
 * `(a >= b) or b or a` because PromQL has no element-wise max of two vectors; with only one of them
 * (a new deployment, a role with no history) that one is the baseline. See the runbook.
 */
const phiBaseline = `(\n  ${phiRate('1h', ' offset 1d')} >= ${phiRate('1h', ' offset 7d')}\n  or ${phiRate('1h', ' offset 7d')}\n  or ${phiRate('1h', ' offset 1d')}\n)`;

/** Two days of steady provider reads at `basePerMinute`, then 30 minutes at `burstPerMinute`. */
function phiInput(basePerMinute: number, burstPerMinute: number): InputSeries[] {
  return phiSeries(
    counterSegments([
      [basePerMinute, 2880],
      [burstPerMinute, 31],
    ]),
  );
}

function phiSeries(values: string): InputSeries[] {
  return [
    series('carewatch_audit_events_total', values, {
      action: 'read',
      outcome: 'success',
      actor_role: 'provider',
    }),
  ];
}

/** Two days of 22.5 quiet hours at 30 reads a minute and a 90-minute rush at 300 (the clinic's morning). */
const DAILY_RUSH = counterSegments([
  [30, 1350],
  [300, 90],
  [30, 1350],
  [300, 90],
]);

const phiAccessUnusual = defineAlert({
  name: 'CarewatchPhiAccessUnusual',
  expr: `${phiRate('15m')}\n> ${PHI_ACCESS_SPIKE_FACTOR} * ${phiBaseline}\nand\n${phiRate('15m')} > ${PHI_ACCESS_MIN_PER_SECOND}`,
  for: '10m',
  severity: 'warning',
  team: 'compliance',
  summary: 'PHI is being accessed far more than usual for a role at this time of day.',
  description:
    'Role {{ $labels.actor_role }} is reading PHI at {{ $value | humanize }} accesses a second, over 3 times the same hour yesterday and last week.',
  cases: {
    fires: {
      input: phiInput(60, 600),
      evalTime: '2910m',
      expect: [{ labels: { job: TARGET_LABELS.job, actor_role: 'provider' }, value: '10' }],
    },
    quiet: {
      why: 'twice the usual rate is within normal variation',
      input: phiInput(60, 120),
      evalTime: '2910m',
    },
    more: [
      {
        why: 'the daily morning rush is compared with yesterday morning, not with a night-weighted average',
        input: phiSeries(DAILY_RUSH),
        evalTime: '2820m',
      },
    ],
  },
});

const breakGlass = defineAlert({
  name: 'CarewatchBreakGlassUsed',
  expr: `sum by (job, actor_role, outcome) (${eventsIn(`carewatch_audit_events_total{${JOB_MATCHER}, action="break_glass"}`, '10m')}) > 0`,
  severity: 'warning',
  team: 'compliance',
  summary: 'Someone used break-glass access to reach PHI outside their normal permissions.',
  description:
    '{{ $value | humanize }} break-glass accesses ({{ $labels.outcome }}) by role {{ $labels.actor_role }} in the last 10 minutes.',
  cases: {
    fires: {
      input: [
        series('carewatch_audit_events_total', '0x5 1x10', {
          action: 'break_glass',
          outcome: 'success',
          actor_role: 'admin',
        }),
      ],
      evalTime: '10m',
      expect: [{ labels: { job: TARGET_LABELS.job, actor_role: 'admin', outcome: 'success' }, value: '1' }],
    },
    more: [
      {
        // The first break-glass access on a pod whose series was not yet scraped at 0.
        input: [
          series('carewatch_audit_events_total', '_x5 1x10', {
            action: 'break_glass',
            outcome: 'success',
            actor_role: 'admin',
          }),
        ],
        evalTime: '10m',
        expect: [{ labels: { job: TARGET_LABELS.job, actor_role: 'admin', outcome: 'success' }, value: '1' }],
      },
      {
        why: 'the break-glass access was more than 10 minutes ago',
        input: [
          series('carewatch_audit_events_total', '_x5 1x30', {
            action: 'break_glass',
            outcome: 'success',
            actor_role: 'admin',
          }),
        ],
        evalTime: '25m',
      },
    ],
    quiet: {
      why: 'ordinary admin reads are not break-glass',
      input: [
        series('carewatch_audit_events_total', counter(5, 20), {
          action: 'read',
          outcome: 'success',
          actor_role: 'admin',
        }),
      ],
      evalTime: '10m',
    },
  },
});

/** Rotated refresh tokens presented again in 10 minutes: a few are stolen-token replays, many a campaign. */
export const REFRESH_REUSE_BURST = 5;
/** Lockouts in 10 minutes that look like credential stuffing rather than forgetful users. */
export const LOCKOUT_SPIKE = 20;
/** Audit events waiting to be sealed: a backlog the sealer is not catching up with. */
export const UNSEALED_EVENTS_MAX = 50_000;

const refreshReuse = defineAlert({
  name: 'CarewatchRefreshTokenReuseBurst',
  expr: `sum by (job) (increase(carewatch_auth_refresh_reuse_detected_total{${JOB_MATCHER}}[10m])) >= ${REFRESH_REUSE_BURST}`,
  severity: 'warning',
  team: 'compliance',
  summary: 'Many rotated refresh tokens are being replayed, a sign of stolen tokens.',
  description: '{{ $value | humanize }} reused refresh tokens (each family revoked) in the last 10 minutes.',
  cases: {
    fires: {
      input: [series('carewatch_auth_refresh_reuse_detected_total', counter(1, 30))],
      evalTime: '20m',
      expect: [{ labels: JOB_ONLY, value: '10' }],
    },
    quiet: {
      why: 'one reuse (a client retrying) is not a burst',
      input: [series('carewatch_auth_refresh_reuse_detected_total', '0x10 1x20')],
      evalTime: '20m',
    },
  },
});

const lockoutSpike = defineAlert({
  name: 'CarewatchLockoutSpike',
  expr: `sum by (job, scope) (increase(carewatch_auth_lockouts_total{${JOB_MATCHER}}[10m])) >= ${LOCKOUT_SPIKE}`,
  severity: 'warning',
  team: 'compliance',
  summary: 'Accounts or addresses are being locked out in numbers, a sign of credential stuffing.',
  description: '{{ $value | humanize }} {{ $labels.scope }} lockouts in the last 10 minutes.',
  cases: {
    fires: {
      input: [series('carewatch_auth_lockouts_total', counter(5, 30), { scope: 'account' })],
      evalTime: '20m',
      expect: [{ labels: { ...JOB_ONLY, scope: 'account' }, value: '50' }],
    },
    quiet: {
      why: 'a lockout every few minutes is forgetful users',
      input: [series('carewatch_auth_lockouts_total', '0x10 1x10 2x10', { scope: 'account' })],
      evalTime: '25m',
    },
  },
});

const unsealedEvents = defineAlert({
  name: 'CarewatchAuditUnsealedBacklog',
  expr: `max by (job) (carewatch_audit_unsealed_events{${JOB_MATCHER}}) > ${UNSEALED_EVENTS_MAX}`,
  for: '15m',
  severity: 'warning',
  team: 'compliance',
  summary: 'A backlog of audit events is waiting to be sealed into the tamper-evident chain.',
  description: '{{ $value | humanize }} audit events are not sealed yet.',
  cases: {
    fires: {
      input: [series('carewatch_audit_unsealed_events', constant(80_000, 30))],
      evalTime: '20m',
      expect: [{ labels: JOB_ONLY, value: '80k' }],
    },
    quiet: {
      why: 'a few hundred events between sealing rounds is normal',
      input: [series('carewatch_audit_unsealed_events', constant(300, 30))],
      evalTime: '20m',
    },
  },
});

export const COMPLIANCE_ALERTS: AlertRule[] = [
  refreshReuse,
  lockoutSpike,
  unsealedEvents,
  writeFailure,
  sealerLag,
  verificationFailed,
  verificationStale,
  verificationMissing,
  phiAccessUnusual,
  breakGlass,
];

export const COMPLIANCE_RULES: RuleFile = {
  name: 'compliance',
  groups: [{ name: 'carewatch-compliance', rules: COMPLIANCE_ALERTS }],
};
