import type { AlertCases, AlertRule, Severity, Team } from './types';

// Runbooks are linked from the repository's default branch so the link in a page works before any
// deployment tooling renders them; the path below it is alerts/runbooks/<AlertName>.md.
export const RUNBOOK_BASE_URL = 'https://github.com/carewatch/carewatch/blob/main/alerts/runbooks/';
export const ALERT_PREFIX = 'Carewatch';
/** The Prometheus scrape job of the service; every rule selects it so a shared Prometheus is safe. */
export const JOB = 'carewatch';
/** A selector fragment for the job, to put inside `{...}`. */
export const JOB_MATCHER = `job="${JOB}"`;

export interface AlertSpec {
  name: string;
  expr: string;
  for?: string;
  severity: Severity;
  team: Team;
  /** Static, one sentence: it is the notification title, so it must not vary per firing. */
  summary: string;
  /** Templated with $labels and $value: the specifics of this firing. */
  description: string;
  extraLabels?: Record<string, string>;
  cases: AlertCases;
}

export function runbookUrl(alertName: string): string {
  return `${RUNBOOK_BASE_URL}${alertName}.md`;
}

/** Builds an alert rule with the labels and annotations every Carewatch alert carries. */
export function defineAlert(spec: AlertSpec): AlertRule {
  const rule: AlertRule = {
    alert: spec.name,
    expr: spec.expr,
    labels: { severity: spec.severity, team: spec.team, ...spec.extraLabels },
    annotations: { summary: spec.summary, description: spec.description, runbook_url: runbookUrl(spec.name) },
    cases: spec.cases,
  };
  if (spec.for !== undefined) rule.for = spec.for;
  return rule;
}

/**
 * Events a counter counted over `window`, by series. A series born inside the window (its first event
 * on a fresh pod, before any zero was scraped) has no earlier sample for increase() to compare with, so
 * its whole value is new: without this a first break-glass access would never alert.
 */
export function eventsIn(selector: string, window: string): string {
  return `((increase(${selector}[${window}]) and ${selector} offset ${window}) or ${selector})`;
}
