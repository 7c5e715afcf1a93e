import { toYaml } from './render-rules';
import type { Severity, Team } from './types';

// Alertmanager routing as code. Pages (severity=critical) and tickets (warning) go to different
// receivers per owning team; info alerts only reach a low-noise channel. Receivers are webhooks on
// placeholder local URLs: each environment's values replace them with its paging and ticketing hooks.

const WEBHOOK_BASE = 'http://127.0.0.1:9099/alerts';

type Channel = 'page' | 'ticket' | 'info';
const CHANNEL_BY_SEVERITY: Record<Exclude<Severity, 'none'>, Channel> = {
  critical: 'page',
  warning: 'ticket',
  info: 'info',
};

/**
 * The dead man's switch (Healthchecks.io, PagerDuty's or Opsgenie's heartbeat): it pages when the
 * always-firing Watchdog stops arriving, which is how a dead Prometheus or Alertmanager gets noticed.
 */
export const DEAD_MANS_SWITCH = 'deadmans-switch';

export function receiverName(team: Team, severity: Severity): string {
  return severity === 'none' ? DEAD_MANS_SWITCH : `${team}-${CHANNEL_BY_SEVERITY[severity]}`;
}

/** The Watchdog is re-sent every minute: the switch expects a heartbeat, and a missing one is the alarm. */
const deadMansSwitchRoute = {
  matchers: ['severity="none"'],
  receiver: DEAD_MANS_SWITCH,
  group_wait: '0s',
  group_interval: '1m',
  repeat_interval: '1m',
};

function receiver(name: string): Record<string, unknown> {
  return { name, webhook_configs: [{ url: `${WEBHOOK_BASE}/${name}`, send_resolved: true }] };
}

// Patient safety and compliance go to their own teams first; everything else is SRE's.
const TEAMS_WITH_OWN_ROUTES: readonly Team[] = ['operations', 'compliance'];
const ROUTED_SEVERITIES = ['critical', 'warning', 'info'] as const;

function teamRoute(team: Team): Record<string, unknown> {
  return {
    matchers: [`team="${team}"`],
    receiver: receiverName(team, 'warning'),
    routes: ROUTED_SEVERITIES.map((severity) => ({
      matchers: [`severity="${severity}"`],
      receiver: receiverName(team, severity),
      // Pages repeat sooner: someone must acknowledge them.
      ...(severity === 'critical' ? { group_wait: '10s', repeat_interval: '1h' } : {}),
    })),
  };
}

function allReceivers(): Record<string, unknown>[] {
  const teams: Team[] = ['sre', ...TEAMS_WITH_OWN_ROUTES];
  return [
    receiver(DEAD_MANS_SWITCH),
    ...teams.flatMap((team) => ROUTED_SEVERITIES.map((severity) => receiver(receiverName(team, severity)))),
  ];
}

export function alertmanagerConfig(): Record<string, unknown> {
  return {
    route: {
      receiver: receiverName('sre', 'warning'),
      group_by: ['alertname', 'job', 'specialty', 'sloth_slo'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '12h',
      routes: [deadMansSwitchRoute, ...TEAMS_WITH_OWN_ROUTES.map(teamRoute), teamRoute('sre')],
    },
    inhibit_rules: [
      {
        // A down instance explains every other symptom it shows: report the cause only.
        source_matchers: ['alertname="CarewatchInstanceDown"'],
        target_matchers: ['alertname!="CarewatchInstanceDown"', 'severity!="none"'],
        equal: ['instance'],
      },
      {
        // A fast-burn page already covers the same SLO's slow-burn ticket.
        source_matchers: ['sloth_severity="page"'],
        target_matchers: ['sloth_severity="ticket"'],
        equal: ['sloth_id'],
      },
      {
        // The page for expiring requests covers the ticket for the same specialty.
        source_matchers: ['alertname="CarewatchConsultationRequestsExpiring"'],
        target_matchers: ['alertname="CarewatchConsultationRequestExpired"'],
        equal: ['job', 'specialty'],
      },
      {
        // With every replica out, the per-replica tickets say nothing more.
        source_matchers: ['alertname="CarewatchDbAllReplicasOutOfRotation"'],
        target_matchers: ['alertname="CarewatchDbReplicaOutOfRotation"'],
        equal: ['job'],
      },
      {
        // Without Redis every shared cache look-up misses: the outage is the cause to report.
        source_matchers: ['alertname="CarewatchRedisUnavailable"'],
        target_matchers: ['alertname="CarewatchCacheHitRatioLow"'],
        equal: ['job'],
      },
      {
        // A failed verification is the stronger signal than a stale one.
        source_matchers: ['alertname="CarewatchAuditVerificationFailed"'],
        target_matchers: ['alertname="CarewatchAuditVerificationStale"'],
        equal: ['job'],
      },
    ],
    receivers: allReceivers(),
  };
}

export const ALERTMANAGER_PATH = 'alerts/dist/alertmanager.yml';

export function renderAlertmanager(): string {
  return toYaml(alertmanagerConfig(), 'Carewatch Alertmanager routing (source: alerts/src/alertmanager.ts).');
}
