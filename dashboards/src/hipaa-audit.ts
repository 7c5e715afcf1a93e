import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './dashboard';
import { stat, timeseries } from './panels';
import { countOver, gauge, sel, sumRate } from './promql';
import { COUNT_WINDOW } from './windows';

// What compliance officers watch: who touches PHI and how, whether the audit trail is complete and
// intact, and how authentication is behaving.

const AUDIT = 'carewatch_audit_events_total';

const VERIFICATION_MAPPINGS: dashboard.ValueMapping[] = [
  {
    type: dashboard.MappingType.ValueToText,
    options: {
      '0': { text: 'FAILED', color: 'red', index: 0 },
      '1': { text: 'OK', color: 'green', index: 1 },
    },
  },
];

export function hipaaAudit(): dashboard.Dashboard {
  return buildDashboard({
    uid: 'carewatch-hipaa-audit',
    title: 'Carewatch / HIPAA audit',
    description:
      'PHI access by role and action, denied and break-glass access, audit trail health and authentication.',
    tags: ['compliance', 'hipaa'],
    rows: [
      {
        title: 'PHI access',
        panels: [
          timeseries({
            title: 'Access rate by role and action',
            description: 'Audited accesses per second, by actor role and action.',
            unit: 'ops',
            targets: [
              { expr: sumRate(AUDIT, ['actor_role', 'action']), legend: '{{actor_role}} {{action}}' },
            ],
          }),
          timeseries({
            title: 'Denied access',
            description: 'Accesses refused by authorization, per second, by actor role and action.',
            unit: 'ops',
            targets: [
              {
                expr: sumRate(AUDIT, ['actor_role', 'action'], 'outcome="denied"'),
                legend: '{{actor_role}} {{action}}',
              },
            ],
          }),
          timeseries({
            title: 'Break-glass access',
            description:
              'Emergency accesses to PHI outside normal permissions; each one needs a compliance review.',
            unit: 'short',
            targets: [
              {
                expr: countOver(COUNT_WINDOW, AUDIT, ['actor_role', 'outcome'], 'action="break_glass"'),
                legend: '{{actor_role}} {{outcome}}',
              },
            ],
          }),
        ],
      },
      {
        title: 'Audit trail health',
        panels: [
          timeseries({
            title: 'Audit write failures',
            description:
              'Audit events that could not be written; each one refused a PHI response (fail closed).',
            unit: 'short',
            targets: [
              {
                expr: countOver(COUNT_WINDOW, 'carewatch_audit_write_failures_total', ['instance']),
                legend: '{{instance}}',
              },
            ],
          }),
          timeseries({
            title: 'Sealer lag',
            description: 'Age of the oldest audit event not yet sealed into the hash chain.',
            unit: 's',
            targets: [
              {
                expr: gauge('max', 'carewatch_audit_sealer_lag_seconds', ['instance']),
                legend: '{{instance}}',
              },
            ],
          }),
          timeseries({
            title: 'Unsealed events',
            description: 'Audit events waiting to be sealed into the hash chain.',
            unit: 'short',
            targets: [
              { expr: gauge('max', 'carewatch_audit_unsealed_events', ['instance']), legend: '{{instance}}' },
            ],
          }),
          stat({
            title: 'Last verification result',
            description:
              'Result of the last audit chain verification: FAILED means events were changed, removed or reordered.',
            unit: 'short',
            mappings: VERIFICATION_MAPPINGS,
            targets: [{ expr: gauge('min', 'carewatch_audit_last_verification_success'), legend: 'result' }],
          }),
          stat({
            title: 'Time since last verification',
            description: 'How long ago the audit chain was last verified; the verifier runs daily.',
            unit: 's',
            targets: [
              {
                expr: `time() - ${gauge('max', 'carewatch_audit_last_verification_timestamp_seconds')}`,
                legend: 'age',
              },
            ],
          }),
        ],
      },
      {
        title: 'Authentication',
        panels: [
          timeseries({
            title: 'Logins by method and result',
            description: 'Login attempts per second by method and result.',
            unit: 'ops',
            targets: [
              {
                expr: sumRate('carewatch_auth_logins_total', ['method', 'result']),
                legend: '{{method}} {{result}}',
              },
            ],
          }),
          timeseries({
            title: 'MFA and token refreshes',
            description: 'MFA verifications and refresh-token rotations per second, by result.',
            unit: 'ops',
            targets: [
              {
                expr: sumRate('carewatch_auth_mfa_verifications_total', ['result']),
                legend: 'mfa {{result}}',
              },
              {
                expr: sumRate('carewatch_auth_token_refreshes_total', ['result']),
                legend: 'refresh {{result}}',
              },
            ],
          }),
          timeseries({
            title: 'Lockouts and refresh-token reuse',
            description:
              'Lockouts by scope and detected refresh-token reuse (a stolen token family is revoked).',
            unit: 'short',
            targets: [
              {
                expr: countOver(COUNT_WINDOW, 'carewatch_auth_lockouts_total', ['scope']),
                legend: 'lockout {{scope}}',
              },
              {
                expr: countOver(COUNT_WINDOW, 'carewatch_auth_refresh_reuse_detected_total'),
                legend: 'refresh reuse',
              },
            ],
          }),
          timeseries({
            title: 'Active sessions',
            description:
              'Server-side sessions currently active (max across instances, which share the database).',
            unit: 'short',
            targets: [{ expr: `max(${sel('carewatch_auth_active_sessions')})`, legend: 'sessions' }],
          }),
        ],
      },
    ],
  });
}
