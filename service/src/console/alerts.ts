import { QueryTypes, type Sequelize } from 'sequelize';
import { z } from 'zod';
import { runbookUrl } from '../../../alerts/src/conventions';
import { TIME_TO_ACCEPTANCE_P95_SECONDS } from '../../../alerts/src/patient-safety';
import { serviceUnavailable } from '../platform/errors';
import type { PrometheusClient } from './prometheus';

// The console's alert strip: what is firing, patient safety first (the alerts the operations team owns),
// then by severity and age. From Alertmanager when configured (it knows silences), else from Prometheus'
// rule evaluation, else from the few patient-safety conditions the service's own tables can answer.

export interface ConsoleAlert {
  readonly name: string;
  readonly severity: string;
  readonly patientSafety: boolean;
  /** ISO time it started firing; null when the source does not say. */
  readonly since: string | null;
  readonly summary: string;
  readonly runbookUrl: string | null;
  readonly silenced: boolean;
  /** The specialty or operation it is about, when it has one (bounded labels only). */
  readonly scope: string | null;
}

export interface AlertStrip {
  readonly source: 'alertmanager' | 'prometheus' | 'database';
  readonly notice?: string;
  readonly alerts: readonly ConsoleAlert[];
}

const SEVERITY_RANK: Readonly<Record<string, number>> = { critical: 0, warning: 1, info: 2 };
const PATIENT_SAFETY_TEAM = 'operations';

function consoleAlert(
  labels: Readonly<Record<string, string>>,
  annotations: Readonly<Record<string, string>>,
  since: string | undefined,
  silenced: boolean,
): ConsoleAlert {
  return {
    name: labels.alertname ?? 'unnamed',
    severity: labels.severity ?? 'none',
    patientSafety: labels.team === PATIENT_SAFETY_TEAM,
    since: since ?? null,
    summary: annotations.summary ?? '',
    runbookUrl: annotations.runbook_url ?? null,
    silenced,
    scope: labels.specialty ?? labels.operation ?? null,
  };
}

export function sortAlerts(alerts: readonly ConsoleAlert[]): ConsoleAlert[] {
  const rank = (alert: ConsoleAlert) => SEVERITY_RANK[alert.severity] ?? 3;
  return [...alerts].sort(
    (a, b) =>
      Number(b.patientSafety) - Number(a.patientSafety) ||
      rank(a) - rank(b) ||
      (a.since ?? '').localeCompare(b.since ?? ''),
  );
}

const alertmanagerAlerts = z.array(
  z.object({
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()).default({}),
    startsAt: z.string(),
    status: z.object({ state: z.string(), silencedBy: z.array(z.string()).default([]) }),
  }),
);

async function fromAlertmanager(baseUrl: string): Promise<ConsoleAlert[]> {
  const url = new URL('api/v2/alerts', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.search = 'active=true&silenced=true&inhibited=true';
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    const alerts = alertmanagerAlerts.parse(await response.json());
    return alerts.map((alert) =>
      consoleAlert(alert.labels, alert.annotations, alert.startsAt, alert.status.silencedBy.length > 0),
    );
  } catch (error) {
    throw serviceUnavailable('Alertmanager did not answer.', 'alertmanager_unavailable', error);
  }
}

/** The patient-safety conditions the tables can answer, named as the Prometheus alerts they stand in for. */
async function fromDatabase(sequelize: Sequelize): Promise<ConsoleAlert[]> {
  const rows = await sequelize.query<{ name: string; severity: string; specialty: string; since: Date }>(
    `SELECT 'CarewatchConsultationRequestsExpiring' AS name, 'critical' AS severity, specialty, min(ended_at) AS since
       FROM consultations WHERE status = 'expired' AND ended_at > now() - interval '15 minutes' GROUP BY specialty
     UNION ALL
     SELECT 'CarewatchTimeToAcceptanceHigh', 'warning', specialty, min(accepted_at)
       FROM consultations WHERE accepted_at > now() - interval '30 minutes' GROUP BY specialty
       HAVING percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM accepted_at - requested_at)) > $1
     UNION ALL
     SELECT 'CarewatchNoProviderAvailable', 'critical', c.specialty, min(c.requested_at)
       FROM consultations c WHERE c.status = 'requested'
        AND NOT EXISTS (SELECT 1 FROM providers p WHERE p.specialty = c.specialty AND p.availability = 'available')
       GROUP BY c.specialty`,
    { bind: [TIME_TO_ACCEPTANCE_P95_SECONDS], type: QueryTypes.SELECT },
  );
  const summaries: Readonly<Record<string, string>> = {
    CarewatchConsultationRequestsExpiring:
      'Consultation requests expired in the last 15 minutes without a provider.',
    CarewatchTimeToAcceptanceHigh:
      'Patients waited too long for a provider to accept over the last 30 minutes.',
    CarewatchNoProviderAvailable: 'Patients are waiting in a specialty with no provider available.',
  };
  return rows.map((row) => ({
    name: row.name,
    severity: row.severity,
    patientSafety: true,
    since: new Date(row.since).toISOString(),
    summary: summaries[row.name] ?? '',
    runbookUrl: runbookUrl(row.name),
    silenced: false,
    scope: row.specialty,
  }));
}

export interface AlertStripDeps {
  readonly sequelize: Sequelize;
  readonly prometheus: PrometheusClient | undefined;
  readonly alertmanagerUrl: string | undefined;
}

export function createAlertStrip(deps: AlertStripDeps) {
  return async (): Promise<AlertStrip> => {
    if (deps.alertmanagerUrl)
      return { source: 'alertmanager', alerts: sortAlerts(await fromAlertmanager(deps.alertmanagerUrl)) };
    if (deps.prometheus) {
      const firing = (await deps.prometheus.alerts()).filter((alert) => alert.state === 'firing');
      return {
        source: 'prometheus',
        notice: 'From Prometheus: silences are known only to Alertmanager (set ALERTMANAGER_URL).',
        alerts: sortAlerts(firing.map((a) => consoleAlert(a.labels, a.annotations, a.activeAt, false))),
      };
    }
    return {
      source: 'database',
      notice:
        'No Prometheus or Alertmanager is configured: these are the patient-safety conditions the service evaluates from its own tables (set PROMETHEUS_URL or ALERTMANAGER_URL for every alert).',
      alerts: sortAlerts(await fromDatabase(deps.sequelize)),
    };
  };
}

export type AlertStripSource = ReturnType<typeof createAlertStrip>;
